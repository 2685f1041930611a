#!/bin/bash
# run-sample.sh --driver sensorhub.sys --client sensorhub_client.exe --dir DIR [--timeout SECONDS]
#               [-- CLIENT ARGS...]
#
# Runs the sample driver's scenario under Wine and prints its transcript:
#   1. checks the driver's imports against what Wine implements (check-driver-imports.sh);
#   2. makes sure DIR/prefix is a ready private Wine prefix (wine-prefix.sh: copied from
#      KCOM_WINE_PREFIX_CACHE when set), with no server of an earlier run left on it;
#   3. starts a persistent server and a session whose first process's stderr, inherited by
#      services.exe and winedevice.exe, becomes the driver log DIR/driver.log (DbgPrint);
#   4. installs and starts the driver, runs the client; when the client says it is "waiting for
#      the service to stop" (it has requests pending), stops the service: DriverUnload cancels
#      them and drains; the client sees them end and exits;
#   5. prints the client's transcript and the driver's log lines, checks the client's exit status
#      and the unload line, and ends the session (wineserver -k, -w), leaving no process behind.
# Every Wine command has a time limit. The exit status is 0 only when the client saw every step
# as documented, the driver unloaded cleanly, and nothing timed out or crashed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-prefix.sh"

usage() {
    echo "usage: $0 --driver X.sys --client Y.exe --dir DIR [--timeout SECONDS] [-- CLIENT ARGS]" >&2
    exit 2
}
driver='' client='' dir='' client_timeout=60
while [ $# -gt 0 ]; do
    case "$1" in
        --driver) driver=$2; shift 2 ;;
        --client) client=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --timeout) client_timeout=$2; shift 2 ;;
        --) shift; break ;;
        *) usage ;;
    esac
done
[ -n "$driver" ] && [ -n "$client" ] && [ -n "$dir" ] || usage
for file in "$driver" "$client"; do
    [ -f "$file" ] || { echo "run-sample: no such file: $file (build the sample first)" >&2; exit 2; }
done
for tool in wine wineserver winedump timeout flock; do
    command -v "$tool" >/dev/null || { echo "run-sample: $tool not found (make windows-packages)" >&2; exit 2; }
done

service=$(basename "$driver" .sys)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
log=$dir/driver.log
client_log=$dir/client.log
expected_unload="$service: unload: drained, 0 outstanding, 0 live kcom allocations"
start_time=$(date +%s)

failed=0
fail() {
    echo "run-sample: FAILED: $*" >&2
    failed=1
}

# The prefix's own processes: Wine processes carry WINEPREFIX in their environment.
session_processes() {
    local pid
    for pid in /proc/[0-9]*; do
        pid=${pid#/proc/}
        [ "$pid" = $$ ] && continue
        tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "WINEPREFIX=$WINEPREFIX" && echo "$pid"
    done
}

end_session() {
    kcom_wine_timeout 30 wineserver -k >/dev/null 2>&1
    kcom_wine_timeout 30 wineserver -w >/dev/null 2>&1
    local leftover
    leftover=$(session_processes)
    if [ -n "$leftover" ]; then
        # Only processes of this script's private prefix, by process id.
        # shellcheck disable=SC2086
        kill -KILL $leftover 2>/dev/null
        return 1
    fi
    return 0
}

# The driver's lines, without Wine's channel prefix.
driver_lines() {
    grep -o "$service: .*" "$log" 2>/dev/null
}

# ---- 1. imports ---------------------------------------------------------------------------------
"$here/check-driver-imports.sh" "$driver" >/dev/null ||
    { echo "run-sample: FAILED: the driver imports what Wine cannot run" >&2; exit 1; }

# ---- 2. prefix ------------------------------------------------------------------------------------
kcom_wine_prefix_ensure "$dir" || { echo "run-sample: FAILED: no Wine prefix in $dir" >&2; exit 1; }
kcom_wine_env "$dir"
if [ -n "$(session_processes)" ]; then
    echo "run-sample: ending a session left by an earlier run"
    end_session || echo "run-sample: some of its processes had to be killed"
fi
client_pid=''
trap '[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null; end_session; exit 130' INT TERM

# ---- 3. session -----------------------------------------------------------------------------------
: >"$log"
: >"$client_log"
kcom_wine_timeout 30 wineserver -p || { fail "wineserver -p"; exit 1; }
WINEDEBUG=-all,err+all,warn+debugstr kcom_wine_timeout 90 wine cmd /c exit 0 >/dev/null 2>>"$log"
status=$?
if [ $status -ne 0 ]; then
    fail "the Wine session did not start (status $status)"
    end_session
    rm -f "$WINEPREFIX/.kcom-ready" # a prefix that cannot start a session is remade next time
    exit 1
fi

# ---- 4. driver and client ---------------------------------------------------------------------------
sc() { kcom_wine_timeout 60 wine sc "$@" 2>&1; }
cp "$driver" "$WINEPREFIX/drive_c/windows/system32/drivers/$service.sys" || { fail "copying the driver"; end_session; exit 1; }
if ! sc query "$service" >/dev/null; then
    out=$(sc create "$service" type= kernel start= demand binPath= "C:\\windows\\system32\\drivers\\$service.sys")
    status=$?
    [ $status -eq 0 ] || fail "sc create $service (status $status): $out"
fi

client_status=''
if [ $failed -eq 0 ]; then
    out=$(sc start "$service")
    status=$?
    if [ $status -ne 0 ] || ! grep -q "$service: loaded" "$log"; then
        fail "sc start $service (status $status): $out"
    else
        kcom_wine_timeout "$client_timeout" wine "$client" "$@" >"$client_log" 2>&1 &
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
            fail "the client never left requests pending for the stop"
        out=$(sc stop "$service")
        status=$?
        [ $status -eq 0 ] || fail "sc stop $service (status $status): $out"
        wait "$client_pid"
        client_status=$?
        client_pid=''
        case $client_status in
            0) ;;
            1) fail "the client saw steps that were not as documented" ;;
            124|137) fail "the client did not finish within $client_timeout s" ;;
            *) fail "the client ended with status $client_status (the driver crashed or could not be reached)" ;;
        esac
        # DriverUnload's report may land a moment after sc stop returns.
        for _ in $(seq 1 50); do
            grep -q "$service: unload: [dr]" "$log" && break
            sleep 0.1
        done
        unload=$(driver_lines | grep -E "^$service: unload: (drained|drain )" | head -n 1)
        if [ -z "$unload" ]; then
            fail "DriverUnload did not report"
        elif [ "$unload" != "$expected_unload" ]; then
            fail "DriverUnload reported: $unload (expected: $expected_unload)"
        fi
    fi
fi
if grep -qE "wine_stub|Unhandled exception|KeBugCheck|page fault" "$log"; then
    fail "the driver log shows a crash"
fi

# ---- 5. transcript and end ----------------------------------------------------------------------------
end_session || fail "processes of the Wine session were left behind (killed)"
trap - INT TERM

echo "---- client ($(basename "$client")) ----"
if [ -s "$client_log" ]; then cat "$client_log"; else echo "(no output)"; fi
echo "---- driver log ($service.sys, DbgPrint) ----"
if [ $failed -ne 0 ]; then
    # everything, for the diagnosis, without Wine's channel prefixes
    sed -e 's/^[0-9a-f]*:warn:debugstr:[A-Za-z_]*[ :]*//' -e 's/^[0-9a-f]*:[0-9a-f]*: //' "$log"
else
    driver_lines
fi
elapsed=$(( $(date +%s) - start_time ))
if [ $failed -ne 0 ]; then
    echo "run-sample: FAILED after ${elapsed} s (logs: $client_log, $log)" >&2
    exit 1
fi
echo "run-sample: passed in ${elapsed} s: the client saw every step as documented; $expected_unload"
exit 0
