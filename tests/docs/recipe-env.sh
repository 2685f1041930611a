# Sourced by run-recipe.sh before a recipe, which runs under bash -e.

# A failing command is named: some (Wine's sc with WINEDEBUG=-all) fail without a word.
trap 'echo "run-recipe: exit status $? from: ${recipe_failed:-$BASH_COMMAND}" >&2' ERR

# `wine` as the recipe calls it, with one difference. Wine now and then fails to start a program
# at all while its session settles (sc.exe's "could not be started", see
# tests/wine/wine-session.sh; once a client that exited 1 without a byte of output). Every
# program a recipe runs says something when it runs and fails, so a command that fails in
# silence did not run: it runs once more, with Wine's own error messages on, and its second
# answer is the one that counts (a failure that repeats shows why).
wine() {
    local out err status=0
    recipe_failed=
    out=$(mktemp) err=$(mktemp)
    command wine "$@" >"$out" 2>"$err" || status=$?
    cat "$out"
    cat "$err" >&2
    if [ $status -ne 0 ] && { [ ! -s "$out" ] && [ ! -s "$err" ] || grep -q "could not be started" "$out" "$err"; }; then
        echo "run-recipe: wine $* exited $status without running; again, with Wine's errors shown" >&2
        sleep 1
        status=0
        WINEDEBUG=err+all command wine "$@" || status=$?
    fi
    rm -f "$out" "$err"
    [ $status -eq 0 ] || recipe_failed="wine $*"
    return $status
}
