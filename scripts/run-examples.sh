#!/bin/sh
# run-examples.sh EXAMPLES_BUILD_DIR - runs each example and shows what it prints.
set -eu
dir=$1
for program in "$dir"/*/example_*; do
    [ -x "$program" ] || continue
    echo "==== $(basename "$program") ===="
    "$program"
    echo
done
