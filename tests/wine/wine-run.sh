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
exec wine "$@"
