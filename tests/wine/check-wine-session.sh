#!/bin/bash
# check-wine-session.sh - checks how the driver session (wine-session.sh) starts the driver's
# service, against a stand-in for wine (no Wine needed). Wine's sc exits 1 without a word when
# StartService fails (its error goes to a debug channel the session turns off), and such a failure
# has come once, before the driver ran, while a session settled:
#   - a start refused before the driver ran is tried again, and passes on the second try;
#   - a start refused after the driver ran (its lines in the driver log) is not tried again;
#   - a start that keeps failing gives up after three tries, and its output holds Wine's error;
#   - a second run in the same directory waits for the first's session lock and then takes it,
#     and a Wine process a run started does not hold the lock after the run has ended (two runs
#     at once ended each other's sessions).
# Exits 0 when all hold, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# The stand-in: `wine sc start SERVICE` counts its calls; the first $FAKE_FAILS fail with status 1,
# printing Wine's error only when WINEDEBUG turns the err channel on, after writing $FAKE_RAN
# (when set) to the driver log as a driver that ran would; later calls log "SERVICE: loaded".
mkdir -p "$work/bin"
cat >"$work/bin/wine" <<'STANDIN'
#!/bin/bash
calls=$(($(cat "$FAKE_CALLS" 2>/dev/null || echo 0) + 1))
echo $calls >"$FAKE_CALLS"
if [ $calls -le "$FAKE_FAILS" ]; then
    [ -z "${FAKE_RAN:-}" ] || echo "$3: $FAKE_RAN" >>"$FAKE_LOG"
    case ",$WINEDEBUG," in *,err+all,*) echo "0024:err:sc:wmain failed to start service 1053" >&2 ;; esac
    exit 1
fi
echo "$3: loaded" >>"$FAKE_LOG"
exit 0
STANDIN
chmod +x "$work/bin/wine"

. "$here/wine-session.sh"
export PATH=$work/bin:$PATH WINEDEBUG=-all
kcom_session_name=check-wine-session service=svc log=$work/driver.log

failed_checks=0
# check NAME FAILS RAN WANT_STATUS WANT_CALLS WANT_OUTPUT
check() {
    local out status calls
    rm -f "$work/calls"
    : >"$log"
    out=$(FAKE_CALLS=$work/calls FAKE_LOG=$log FAKE_FAILS=$2 FAKE_RAN=$3 kcom_session_start_service 2>&1)
    status=$?
    calls=$(cat "$work/calls" 2>/dev/null || echo 0)
    if [ "$status" != "$4" ] || [ "$calls" != "$5" ] || ! grep -qF -- "$6" <<<"$out$(cat "$log")"; then
        echo "check-wine-session: FAILED: $1: status $status (want $4), $calls start(s) (want $5), output: $out" >&2
        failed_checks=1
    fi
}
check "a silent refusal before the driver ran is tried again" 1 "" 0 2 "svc: loaded"
check "a driver that ran and failed is not started again" 1 "DriverEntry failed" 1 1 "failed to start service 1053"
check "a start that keeps failing gives up" 5 "" 1 3 "failed to start service 1053"
# The session lock. A run that holds it for 2 s: a second run started 0.5 s in waits, says so, and
# takes it once the first has ended.
dir=$work/session
mkdir -p "$dir"
(kcom_session_lock; sleep 2) &
holder=$!
sleep 0.5
start=$(date +%s%N)
out=$( (KCOM_SESSION_WAIT=20 kcom_session_lock && echo taken) 2>&1)
waited=$((($(date +%s%N) - start) / 1000000))
wait $holder
case "$out" in
*"waiting for another run's session"*taken) ;;
*) echo "check-wine-session: FAILED: a second run did not wait for the lock and take it: $out" >&2; failed_checks=1 ;;
esac
[ $waited -ge 1000 ] || { echo "check-wine-session: FAILED: a second run took the lock after $waited ms, while the first held it" >&2; failed_checks=1; }
# A run that started a long Wine program (the stand-in sleeps 10 s) through kcom_wine_timeout and
# ended: the lock is free at once.
printf '#!/bin/sh\nsleep 10\n' >"$work/bin/long-wine"
chmod +x "$work/bin/long-wine"
(kcom_session_lock; kcom_wine_timeout 30 long-wine >/dev/null 2>&1 8>&- &
 sleep 0.5)
out=$( (KCOM_SESSION_WAIT=2 kcom_session_lock && echo taken) 2>&1)
[ "$out" = taken ] || { echo "check-wine-session: FAILED: a Wine program of an ended run held the lock: $out" >&2; failed_checks=1; }
pkill -f "$work/bin/long-wine" 2>/dev/null

[ $failed_checks -eq 0 ] && echo "check-wine-session: a start refused before the driver ran is tried again, and nothing else; runs take turns at the session lock"
exit $failed_checks
