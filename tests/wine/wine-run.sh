#!/bin/bash
# wine-run.sh PROGRAM.exe [ARGS...] - runs a Windows program under Wine in a private prefix kept in
# BUILD/wine/prefix, BUILD being the program's build directory (the nearest parent holding
# CMakeCache.txt), or in KCOM_WINE_DIR/prefix when KCOM_WINE_DIR is set.
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
# Wine sometimes cannot reach the prefix's server as it starts the program: the server wine started
# for earlier programs exits 3 s after its last one and still holds the prefix while it does, and
# ctest starts programs in parallel and one after another. wine then reports "a wine server seems
# to be running, but I cannot connect to it" before the program has run, or loses the server as
# it connects ("wine client error:0: recvmsg: Connection reset by peer"), so running it again is
# safe: up to three tries, a second apart. A reset after the program has written anything is its
# run's end, not a start's, and is not tried again. The program's stdout is passed on as it comes
# and copied to a file, its stderr kept in one, to be read for those messages, and passed on after
# them; its exit code is returned as it is, and named on stderr when it is not 0.
out=$(mktemp "$TMPDIR/stdout.XXXXXX") || exit 1
err=$(mktemp "$TMPDIR/stderr.XXXXXX") || { rm -f "$out"; exit 1; }
for try in 1 2 3; do
    wine "$@" 2>"$err" | tee "$out"
    status=${PIPESTATUS[0]}
    [ $try -lt 3 ] || break
    grep -qF "a wine server seems to be running, but I cannot connect to it" "$err" ||
        { [ ! -s "$out" ] && grep -qE "^wine client error:.*Connection reset by peer" "$err"; } || break
    sleep 1
done
cat "$err" >&2
rm -f "$out" "$err"
# A program that crashes ends without a word here (the prefix's debugger does not exist, on
# purpose): the status is what tells a crash (an NTSTATUS's low byte, 5 for an access violation)
# from an early exit.
[ $status -eq 0 ] || echo "wine-run: $(basename "$1") exited with status $status" >&2
exit $status
