#!/bin/bash
# check-wine-run.sh RUNNER - checks the Wine runner (wine-run.sh) against a stand-in for wine, in a
# prefix of its own (no Wine needed):
#   - a start that fails before the program runs, with wine's "a wine server seems to be running,
#     but I cannot connect to it", or with its server connection reset ("wine client error:...
#     Connection reset by peer") before the program wrote a word, is tried again, and the
#     program's exit code and output come back as they are;
#   - a connection reset after the program wrote something is not run again;
#   - a program's own failure is not run again;
#   - a start that keeps failing gives up after three tries, with wine's message and status;
#   - a failure's status is named on stderr (a program that crashes under the test prefix ends
#     without a word: its status is then all there is to tell a crash from an early exit).
# Exits 0 when all hold, 1 otherwise.
set -u

[ $# -eq 1 ] || { echo "usage: $0 RUNNER" >&2; exit 2; }
runner=$1
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# The stand-in: --version for the prefix's stamp; otherwise it counts its calls, fails its first
# $FAKE_CONNECT_FAILS starts with wine's message (FAKE_RESET=1: the message of a server
# connection reset, after "started" on stdout when FAKE_RESET_LATE=1), then prints "ran" and exits
# with $FAKE_STATUS.
mkdir -p "$work/bin"
cat >"$work/bin/wine" <<'EOF'
#!/bin/bash
[ "${1:-}" = --version ] && { echo wine-stand-in; exit 0; }
calls=$(($(cat "$FAKE_CALLS" 2>/dev/null || echo 0) + 1))
echo $calls >"$FAKE_CALLS"
if [ $calls -le "$FAKE_CONNECT_FAILS" ]; then
    if [ "${FAKE_RESET:-0}" = 1 ]; then
        [ "${FAKE_RESET_LATE:-0}" = 1 ] && echo started
        echo "wine client error:0: recvmsg: Connection reset by peer" >&2
        exit 1
    fi
    echo "wine: a wine server seems to be running, but I cannot connect to it." >&2
    echo "   You probably need to kill that process (it might be pid 1234)." >&2
    exit 1
fi
echo ran
echo "to stderr" >&2
exit "$FAKE_STATUS"
EOF
chmod +x "$work/bin/wine"
# a prefix the runner takes as ready for this wine
mkdir -p "$work/wine/prefix"
: >"$work/wine/prefix/system.reg"
echo wine-stand-in >"$work/wine/prefix/.kcom-ready"

failed=0
# check NAME FAILS STATUS WANT_STATUS WANT_CALLS WANT_OUTPUT
check() {
    local out status calls
    rm -f "$work/calls"
    out=$(PATH=$work/bin:$PATH KCOM_WINE_DIR=$work/wine KCOM_WINE_PREFIX_CACHE='' FAKE_CALLS=$work/calls \
        FAKE_CONNECT_FAILS=$2 FAKE_STATUS=$3 "$runner" program.exe 2>&1)
    status=$?
    calls=$(cat "$work/calls" 2>/dev/null || echo 0)
    if [ "$status" != "$4" ] || [ "$calls" != "$5" ] || ! grep -qF -- "$6" <<<"$out"; then
        echo "check-wine-run: FAILED: $1: status $status (want $4), $calls start(s) (want $5), output: $out" >&2
        failed=1
    fi
}
check "a failed start tried again" 1 7 7 2 "ran"
check "the program's stderr passed on" 1 0 0 2 "to stderr"
check "two failed starts tried again" 2 0 0 3 "ran"
check "the program's own failure not run again" 0 1 1 1 "ran"
check "three failed starts give up" 3 0 1 3 "cannot connect to it"
check "a failure names its status" 0 5 5 1 "wine-run: program.exe exited with status 5"
FAKE_RESET=1 check "a start whose server connection was reset tried again" 1 0 0 2 "ran"
FAKE_RESET=1 check "two resets tried again" 2 3 3 3 "ran"
FAKE_RESET=1 FAKE_RESET_LATE=1 check "a reset after the program wrote not run again" 1 0 1 1 "started"
[ $failed -eq 0 ] && echo "check-wine-run: the runner tries a failed start again, and nothing else"
exit $failed
