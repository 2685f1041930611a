#!/bin/bash
# check-wine-run.sh RUNNER DIR PROGRAM.exe [ARGS...] - checks what ctest needs of the Wine runner
# (wine-run.sh): in a private prefix in DIR with no server running, the first program run through
# RUNNER, its output read through a pipe as ctest reads it,
#   - ends its output when the program ends: the session's own processes (services.exe and what it
#     starts), which that first program's wine would start, do not hold the pipe, so ctest does not
#     wait for them before it can end the test;
#   - leaves the prefix's server running after it: a server that exits between two programs holds
#     the prefix while it saves the registry, and a program started then cannot connect to it;
#   - returns the program's own exit status, here and for a second program, which finds the
#     session up.
# Exits 0 when all hold, 1 otherwise; the server is ended either way.
set -u

[ $# -ge 3 ] || { echo "usage: $0 RUNNER DIR PROGRAM.exe [ARGS...]" >&2; exit 2; }
runner=$1
dir=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-prefix.sh"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
kcom_wine_prefix_ensure "$dir" || { echo "check-wine-run: no prefix in $dir" >&2; exit 1; }
kcom_wine_env "$dir"
kcom_wine_timeout 30 wineserver -k >/dev/null 2>&1
kcom_wine_timeout 30 wineserver -w >/dev/null 2>&1

failed=0
fail() {
    echo "check-wine-run: FAILED: $*" >&2
    failed=1
}

# The server of this prefix, if one runs: wineserver -k0 asks it, and fails when none does.
server_runs() {
    kcom_wine_timeout 10 wineserver -k0 >/dev/null 2>&1
}

# The first program: $( ) returns at the end of its output, as ctest's read does. Its status
# comes back through a file, since $( ) keeps only the output.
out=$(KCOM_WINE_DIR=$dir kcom_wine_timeout 120 "$runner" "$@" 2>&1; echo $? >"$dir/check.status")
status=$(cat "$dir/check.status")
if [ "$status" != 0 ]; then
    fail "the first program exited with $status: $out"
elif ! server_runs; then
    fail "the prefix's server had exited when the first program's output ended (the session's processes held the output until they ended, or the server did not stay)"
fi

# A second program, the session up, and a program's own exit status as it is.
out=$(KCOM_WINE_DIR=$dir kcom_wine_timeout 120 "$runner" "$@" 2>&1)
status=$?
[ $status -eq 0 ] || fail "the second program exited with $status: $out"
KCOM_WINE_DIR=$dir kcom_wine_timeout 120 "$runner" cmd /c exit 7 >/dev/null 2>&1
status=$?
[ $status -eq 7 ] || fail "cmd /c exit 7 came back as $status"

kcom_wine_timeout 30 wineserver -k >/dev/null 2>&1
kcom_wine_timeout 30 wineserver -w >/dev/null 2>&1
[ $failed -eq 0 ] && echo "check-wine-run: the runner's session holds"
exit $failed
