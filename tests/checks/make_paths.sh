#!/bin/bash
# make_paths.sh ROOT - the Makefile in a clone whose path holds spaces, parentheses and a quote, and
# with such a BUILD: every command of every target must reach the shell with its paths quoted
# (an unquoted or badly quoted one is a syntax error there, or worse, a command on a cut path:
# `rm -rf` of a parent directory). Nothing is built: make runs each command through a stand-in
# shell that only checks its syntax and logs it. Also checks that an empty BUILD, or one that starts
# with `-`, is refused, and that `make test` checks every package it needs before anything else. Exits 0 when all hold, 1 otherwise.
set -u
root=$1
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

odd="$work/my kcom (copy) it's"
mkdir -p "$odd"
cp "$root/Makefile" "$odd/"
cat >"$work/shell" <<'STANDIN'
#!/bin/sh
# make runs each command as SHELL -c COMMAND
printf '%s\n' "$2" >>"$CHECK_LOG"
sh -n -c "$2" 2>/dev/null || printf '%s\n' "$2" >>"$CHECK_BAD"
exit 0
STANDIN
chmod +x "$work/shell"

failed=0
targets="demo test test-gcc test-clang test-asan test-tsan test-valgrind test-host32 test-release test-windows test-kernel
         test-kernel-msvc test-kernel-ports test-sample soak fuzz bench bench-clang clean"
# run NAME MIN [MAKE ARGUMENTS...]: every target, each command checked; at least MIN of the
# commands name the odd path (the check is not vacuous)
run() {
    local name=$1 min=$2
    shift 2
    : >"$work/$name.log"
    : >"$work/$name.bad"
    # shellcheck disable=SC2086
    CHECK_LOG=$work/$name.log CHECK_BAD=$work/$name.bad make -C "$odd" -k -B --no-print-directory \
        SHELL="$work/shell" "$@" $targets >/dev/null 2>&1
    if [ -s "$work/$name.bad" ]; then
        echo "make_paths: FAILED: $name: commands the shell cannot parse:" >&2
        sed 's/^/    /' "$work/$name.bad" >&2
        failed=1
    fi
    [ "$(grep -cF "it'\\''s" "$work/$name.log")" -ge "$min" ] ||
        { echo "make_paths: FAILED: $name: fewer than $min commands name the clone's or BUILD's path" >&2; failed=1; }
}
run clone 5
run build-absolute 50 BUILD="$work/out dir (x) it's"
run build-relative 50 BUILD="out dir (y) it's"

# A BUILD that is empty (an unset variable: builds would go to /gcc, /sample) or starts with `-`
# (an option to rm, cd and cmake) is refused before any command runs.
for build in "" "-odd"; do
    : >"$work/refused.log"
    out=$(CHECK_LOG=$work/refused.log CHECK_BAD=/dev/null make -C "$odd" --no-print-directory SHELL="$work/shell" \
          BUILD="$build" clean demo 2>&1) && { echo "make_paths: FAILED: BUILD='$build' was not refused" >&2; failed=1; }
    grep -q "BUILD" <<<"$out" || { echo "make_paths: FAILED: BUILD='$build': the refusal does not name BUILD: $out" >&2; failed=1; }
    [ -s "$work/refused.log" ] && { echo "make_paths: FAILED: BUILD='$build' ran commands:" >&2; cat "$work/refused.log" >&2; failed=1; }
done

# make test: the first command checks the packages of every configuration.
: >"$work/order.log"
CHECK_LOG=$work/order.log CHECK_BAD=/dev/null make -C "$odd" -B --no-print-directory SHELL="$work/shell" test \
    >/dev/null 2>&1
first=$(head -n 1 "$work/order.log")
for package in cmake:cmake wine:wine clang-cl-14:clang-tools-14 /usr/lib32/crt1.o:gcc-multilib; do
    case "$first" in
    *require-packages.sh*"$package"*) ;;
    *) echo "make_paths: FAILED: make test's first command does not check $package: $first" >&2; failed=1 ;;
    esac
done

[ $failed -eq 0 ] && echo "make_paths: every command quotes its paths; make test checks its packages first"
exit $failed
