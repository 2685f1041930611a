#!/bin/sh
# run-valgrind.sh BUILD_DIR - runs the host test suite and the examples under valgrind memcheck;
# any error or leak fails the run.
set -eu
build=$1
suppressions=$(dirname "$0")/valgrind.supp # kcom's futex wakes (the file says why)
status=0
for program in "$build/tests/kcom_tests" "$build"/examples/*/example_*; do
    [ -f "$program" ] && [ -x "$program" ] || continue # not CMakeFiles/example_*.dir
    echo "memcheck: $program"
    if ! valgrind -q --error-exitcode=99 --suppressions="$suppressions" --leak-check=full \
        --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible "$program" >"$program.memcheck.log" 2>&1; then
        cat "$program.memcheck.log"
        echo "memcheck: $program FAILED"
        status=1
    fi
done
exit $status
