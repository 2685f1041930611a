#!/bin/bash
# wine-run.sh PROGRAM.exe [ARGS...] - runs a Windows program under Wine in a private prefix kept in
# the program's build directory (the nearest parent holding CMakeCache.txt, or KCOM_WINE_DIR).
# The CMake mingw-w64 toolchain makes this the cross-compiling emulator, so ctest runs the Windows
# test executables through it. The program's exit code is returned as-is.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-prefix.sh"

[ $# -ge 1 ] || { echo "usage: $0 PROGRAM.exe [ARGS...]" >&2; exit 2; }

dir=${KCOM_WINE_DIR:-}
if [ -z "$dir" ]; then
    dir=$(cd "$(dirname "$1")" && pwd)
    while [ "$dir" != / ] && [ ! -f "$dir/CMakeCache.txt" ]; do
        dir=$(dirname "$dir")
    done
    [ "$dir" != / ] || dir=$(cd "$(dirname "$1")" && pwd)
    dir=$dir/wine
fi

kcom_wine_prefix_ensure "$dir" || exit 1
kcom_wine_env "$dir"
# The prefix's session: a server that stays a minute after its last program, and the session's
# own processes (services.exe and those it starts), started by the first program to come here,
# the others waiting on the lock until they are up. ctest runs these programs in parallel and one
# after another; a server wine starts itself exits 3 s after its last program, and while it saves
# the registry on its way out it still holds the prefix: a program started then cannot connect to
# it ("a wine server seems to be running, but I cannot connect to it"). The session's processes
# start here with no output of ctest's: a program's wine would have started them with its own
# stdout and stderr, and ctest would then wait for them to exit before that program's test ends.
# wineserver -p60 exits with 0 when it starts the server, and with 2 when one runs. Neither it nor
# the session's processes may keep the lock's descriptor (the lock would stay held).
(
    flock 8
    if wineserver -p60 </dev/null >/dev/null 2>&1 8>&-; then
        kcom_wine_timeout 90 wine cmd /c exit 0 </dev/null >/dev/null 2>&1 8>&-
    fi
) 8>"$dir/session.lock"
exec wine "$@"
