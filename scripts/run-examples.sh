#!/bin/sh
# run-examples.sh EXAMPLES_BUILD_DIR - runs each example and shows what it prints.
set -eu
dir=$1
for program in "$dir"/*/example_*; do
    [ -f "$program" ] && [ -x "$program" ] || continue # not CMakeFiles/example_*.dir
    echo "==== $(basename "$program") ===="
    "$program"
    echo
done
