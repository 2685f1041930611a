#!/bin/bash
# run-recipe.sh --doc DOC --name NAME --dir WORK_DIR [--env VAR=VALUE]... [--link PATH=TARGET]...
#               [--copy PATH=SOURCE]... [--driver FILE]...
#
# Runs a recipe of the documentation as written: every ```sh block that follows a line
# `<!-- tested: NAME ... -->` in DOC, in order, as one script run with bash -e in a fresh
# WORK_DIR. Before it: the --env variables are exported (what the document asks the reader to
# set), and WORK_DIR is laid out as the recipe expects (--link makes PATH a symbolic link to
# TARGET, --copy copies SOURCE to PATH). After it, each --driver FILE must exist and import only
# what Wine implements (tests/wine/check-driver-imports.sh). The blocks are printed first. Wine
# runs headless; a failing command is named, and a program Wine fails to start runs once more
# (recipe-env.sh); a Wine server left behind in WORK_DIR/wine-prefix is ended, and the prefix
# (about 700 MB) removed once the recipe has passed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
doc="" name="" work=""
envs=() links=() copies=() drivers=()
while [ $# -gt 0 ]; do
    case $1 in
        --doc) doc=$2 ;;
        --name) name=$2 ;;
        --dir) work=$2 ;;
        --env) envs+=("$2") ;;
        --link) links+=("$2") ;;
        --copy) copies+=("$2") ;;
        --driver) drivers+=("$2") ;;
        *) echo "run-recipe: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
[ -n "$doc" ] && [ -n "$name" ] && [ -n "$work" ] || { echo "usage: $0 --doc DOC --name NAME --dir DIR ..." >&2; exit 2; }

recipe=$(awk -v marker="<!-- tested: $name " '
    index($0, marker) == 1 { armed = 1; next }
    armed && /^```sh$/ { inside = 1; armed = 0; next }
    inside && /^```$/ { inside = 0; print ""; next }
    inside { print }' "$doc")
[ -n "$recipe" ] || { echo "run-recipe: no sh block after <!-- tested: $name in $doc" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
for pair in "${links[@]+"${links[@]}"}"; do
    mkdir -p "$(dirname "$work/${pair%%=*}")"
    ln -s "${pair#*=}" "$work/${pair%%=*}"
done
for pair in "${copies[@]+"${copies[@]}"}"; do
    cp "${pair#*=}" "$work/${pair%%=*}"
done
for pair in "${envs[@]+"${envs[@]}"}"; do
    export "${pair%%=*}=${pair#*=}"
done
# the reader's shell as the recipe assumes it: no display, and no Wine settings of another prefix
# (WINEARCH=win32 stops the recipe's 64-bit wineboot)
unset DISPLAY WINEARCH WINESERVER WINELOADER WINEDLLPATH
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
passed=0
end_wine() {
    if [ -d "$work/wine-prefix" ]; then
        WINEPREFIX="$work/wine-prefix" timeout 30 wineserver -k >/dev/null 2>&1 || true
        WINEPREFIX="$work/wine-prefix" timeout 30 wineserver -w >/dev/null 2>&1 || true
        [ $passed -eq 0 ] || rm -rf "$work/wine-prefix"
    fi
}
trap end_wine EXIT

printf '%s\n' "$recipe" >"$work/recipe.sh"
echo "run-recipe: $doc, $name:"
sed 's/^/    /' "$work/recipe.sh"
(cd "$work" && bash -e -c '. "$1"; . ./recipe.sh' run-recipe "$here/recipe-env.sh")
for driver in "${drivers[@]+"${drivers[@]}"}"; do
    [ -f "$work/$driver" ] || { echo "run-recipe: the recipe did not make $driver" >&2; exit 1; }
    "$here/../wine/check-driver-imports.sh" "$work/$driver"
done
passed=1
echo "run-recipe: $name: passed"
