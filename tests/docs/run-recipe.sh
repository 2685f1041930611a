#!/bin/bash
# run-recipe.sh DOC NAME BUILD_DIR SOURCE WORK_DIR OUTPUT
#
# Runs a recipe of the documentation as written: the first ```sh block after the line
# `<!-- tested: NAME ... -->` in DOC, with bash -e, in a fresh WORK_DIR laid out as the recipe
# expects (build/kernel is BUILD_DIR, driver.c is SOURCE), then checks that it made OUTPUT and
# that the driver's imports are all implemented by Wine (tests/wine/check-driver-imports.sh).
set -eu

doc=$1 name=$2 build_dir=$3 source=$4 work=$5 output=$6
here=$(cd "$(dirname "$0")" && pwd)

recipe=$(awk -v marker="<!-- tested: $name" '
    index($0, marker) == 1 { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$doc")
[ -n "$recipe" ] || { echo "run-recipe: no sh block after <!-- tested: $name in $doc" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/build"
ln -s "$build_dir" "$work/build/kernel"
cp "$source" "$work/driver.c"
printf '%s\n' "$recipe" >"$work/recipe.sh"
echo "run-recipe: $doc, $name:"
sed 's/^/    /' "$work/recipe.sh"
(cd "$work" && bash -e recipe.sh)
[ -f "$work/$output" ] || { echo "run-recipe: the recipe did not make $output" >&2; exit 1; }
"$here/../wine/check-driver-imports.sh" "$work/$output"
