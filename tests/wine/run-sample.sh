#!/bin/bash
# run-sample.sh --driver sensorhub.sys --client sensorhub_client.exe --dir DIR [--timeout SECONDS]
#               [-- CLIENT ARGS...]
#
# Runs the sample driver's scenario under Wine and prints its transcript:
#   1. checks the driver's imports, makes sure DIR/prefix is a ready private Wine prefix (copied
#      from KCOM_WINE_PREFIX_CACHE when set), starts a session whose stderr becomes the driver log
#      DIR/driver.log, and installs the driver (wine-session.sh);
#   2. starts the driver, runs the client; when the client says it is "waiting for the service to
#      stop" (it has requests pending), stops the service: DriverUnload cancels them and drains;
#      the client sees them end, keeps its handle a moment and exits, and DriverUnload waits for
#      that close before it ends;
#   3. prints the client's transcript and the driver's log lines, checks the client's exit status
#      and the unload line, and ends the session (wineserver -k, -w), leaving no process behind.
# Every Wine command has a time limit. The exit status is 0 only when the client saw every step
# as documented, the driver unloaded cleanly, and nothing timed out or crashed.
set -u

. "$(cd "$(dirname "$0")" && pwd)/wine-session.sh"

kcom_session_args run-sample 60 "$@"
client_log=$dir/client.log
expected_unload="$service: unload: drained, 0 outstanding, 0 live kcom allocations"

# The driver's lines, without Wine's channel prefix.
driver_lines() {
    grep -o "$service: .*" "$log" 2>/dev/null
}

# ---- 1. session -----------------------------------------------------------------------------------
: >"$client_log"
kcom_session_begin

# ---- 2. driver and client ---------------------------------------------------------------------------
client_status=''
if [ $failed -eq 0 ]; then
    out=$(kcom_session_start_service)
    status=$?
    if [ $status -ne 0 ] || ! grep -q "$service: loaded" "$log"; then
        kcom_session_fail "sc start $service (status $status): $out"
    else
        kcom_wine_timeout "$client_timeout" wine "$client" "${client_args[@]}" >"$client_log" 2>&1 8>&- &
        client_pid=$!
        # The client leaves requests pending and says so; then the service is stopped under them.
        waited=0
        while ! grep -q "waiting for the service to stop" "$client_log"; do
            if ! kill -0 "$client_pid" 2>/dev/null || [ $waited -ge $((client_timeout * 10)) ]; then
                break
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
        grep -q "waiting for the service to stop" "$client_log" ||
            kcom_session_fail "the client never left requests pending for the stop"
        out=$(sc stop "$service")
        status=$?
        [ $status -eq 0 ] || kcom_session_fail "sc stop $service (status $status): $out"
        wait "$client_pid"
        client_status=$?
        client_pid=''
        case $client_status in
            0) ;;
            1) kcom_session_fail "the client saw steps that were not as documented" ;;
            124|137) kcom_session_fail "the client did not finish within $client_timeout s" ;;
            *) kcom_session_fail "the client ended with status $client_status (the driver crashed or could not be reached)" ;;
        esac
        # DriverUnload's report may land a moment after sc stop returns.
        for _ in $(seq 1 50); do
            grep -q "$service: unload: [dr]" "$log" && break
            sleep 0.1
        done
        unload=$(driver_lines | grep -E "^$service: unload: (drained|drain )" | head -n 1)
        if [ -z "$unload" ]; then
            kcom_session_fail "DriverUnload did not report"
        elif [ "$unload" != "$expected_unload" ]; then
            kcom_session_fail "DriverUnload reported: $unload (expected: $expected_unload)"
        fi
        # Wine unloads with the client's handle still open (Windows would wait for its close):
        # the close must reach the driver before DriverUnload ends, after which the image is gone
        if ! driver_lines | sed -n "/^$service: unload: canceling/,/^$service: unload: drain/p" |
            grep -q "^$service: handle closed"; then
            kcom_session_fail "the client's handle was closed after DriverUnload had ended"
        fi
    fi
fi
kcom_session_check_crash

# ---- 3. transcript and end ----------------------------------------------------------------------------
kcom_session_end || kcom_session_fail "processes of the Wine session were left behind (killed)"
trap - INT TERM

echo "---- client ($(basename "$client")) ----"
if [ -s "$client_log" ]; then cat "$client_log"; else echo "(no output)"; fi
if [ $failed -ne 0 ]; then
    kcom_session_print_log # everything, for the diagnosis
else
    echo "---- driver log ($service.sys, DbgPrint) ----"
    driver_lines
fi
elapsed=$(( $(date +%s) - start_time ))
if [ $failed -ne 0 ]; then
    echo "run-sample: FAILED after ${elapsed} s (logs: $client_log, $log)" >&2
    exit 1
fi
echo "run-sample: passed in ${elapsed} s: the client saw every step as documented; $expected_unload"
exit 0
