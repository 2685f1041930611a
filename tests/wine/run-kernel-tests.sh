#!/bin/bash
# run-kernel-tests.sh --driver kcom_test.sys --client kcom_test_client.exe --dir DIR
#                     [--timeout SECONDS] [-- CLIENT ARGS...]
#
# Runs the kcom kernel test driver under Wine and reports what its client reports:
#   1. checks the driver's imports against what Wine implements (check-driver-imports.sh);
#   2. makes sure DIR/prefix is a ready private Wine prefix (wine-prefix.sh), and that no Wine
#      server of an earlier run is left on it;
#   3. starts a persistent server and a session whose first process's stderr, inherited by
#      services.exe and winedevice.exe, becomes the driver log DIR/driver.log (DbgPrint is
#      Wine's warn+debugstr channel);
#   4. installs the driver as a kernel service, starts it, runs the client, stops the service
#      and checks that DriverUnload ran and reported no live kcom allocation;
#   5. ends the session (wineserver -k, -w) and makes sure no process of it is left.
# Every Wine command has a time limit. The exit status is 0 only when the client passed, the
# driver unloaded cleanly and nothing timed out or crashed; otherwise the driver log is printed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-prefix.sh"

driver='' client='' dir='' client_timeout=240
while [ $# -gt 0 ]; do
    case "$1" in
        --driver) driver=$2; shift 2 ;;
        --client) client=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --timeout) client_timeout=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "usage: $0 --driver X.sys --client Y.exe --dir DIR [--timeout S] [-- CLIENT ARGS]" >&2; exit 2 ;;
    esac
done
[ -n "$driver" ] && [ -n "$client" ] && [ -n "$dir" ] || {
    echo "usage: $0 --driver X.sys --client Y.exe --dir DIR [--timeout S] [-- CLIENT ARGS]" >&2
    exit 2
}
for file in "$driver" "$client"; do
    [ -f "$file" ] || { echo "run-kernel-tests: no such file: $file" >&2; exit 2; }
done
for tool in wine wineserver winedump timeout flock; do
    command -v "$tool" >/dev/null || { echo "run-kernel-tests: $tool not found" >&2; exit 2; }
done

service=$(basename "$driver" .sys)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
log=$dir/driver.log
start_time=$(date +%s)

say() { echo "run-kernel-tests: $*"; }

failed=0
fail() {
    echo "run-kernel-tests: FAILED: $*" >&2
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

print_log() {
    echo "---- driver log ($log) ----" >&2
    if [ -s "$log" ]; then
        # The Wine channel prefixes are noise; the DbgPrint text follows "debugstr:" or a "kcom".
        sed -e 's/^[0-9a-f]*:warn:debugstr:[A-Za-z_]*[ :]*//' "$log" >&2
    else
        echo "(empty)" >&2
    fi
    echo "---- end of driver log ----" >&2
}

# ---- 1. imports ---------------------------------------------------------------------------------
"$here/check-driver-imports.sh" "$driver" || { echo "run-kernel-tests: FAILED: the driver imports what Wine cannot run" >&2; exit 1; }

# ---- 2. prefix ------------------------------------------------------------------------------------
kcom_wine_prefix_ensure "$dir" || { echo "run-kernel-tests: FAILED: no Wine prefix" >&2; exit 1; }
kcom_wine_env "$dir"
if [ -n "$(session_processes)" ]; then
    say "ending a session left by an earlier run"
    end_session || say "some of its processes had to be killed"
fi
trap 'end_session; exit 130' INT TERM

# ---- 3. session -----------------------------------------------------------------------------------
: >"$log"
kcom_wine_timeout 30 wineserver -p || { fail "wineserver -p"; print_log; exit 1; }
# The first process starts services.exe, whose children (winedevice.exe hosting the driver)
# inherit this stderr and WINEDEBUG: DbgPrint output lands in the log.
WINEDEBUG=-all,err+all,warn+debugstr kcom_wine_timeout 90 wine cmd /c exit 0 >/dev/null 2>>"$log"
session_status=$?
if [ $session_status -ne 0 ]; then
    fail "the Wine session did not start (status $session_status)"
    end_session
    # A prefix that cannot start a session is broken: the next run makes a new one.
    rm -f "$WINEPREFIX/.kcom-ready"
    print_log
    exit 1
fi

# ---- 4. driver --------------------------------------------------------------------------------------
cp "$driver" "$WINEPREFIX/drive_c/windows/system32/drivers/$service.sys" || { fail "copying the driver"; end_session; exit 1; }
sc() { kcom_wine_timeout 60 wine sc "$@" 2>&1; }
if ! sc query "$service" >/dev/null; then
    out=$(sc create "$service" type= kernel start= demand binPath= "C:\\windows\\system32\\drivers\\$service.sys")
    status=$?
    [ $status -eq 0 ] || fail "sc create $service (status $status): $out"
fi

client_status=0
if [ $failed -eq 0 ]; then
    out=$(sc start "$service")
    status=$?
    if [ $status -ne 0 ] || ! grep -q "kcom_test: loaded" "$log"; then
        fail "sc start $service (status $status): $out"
    else
        say "$(sed -n 's/.*\(kcom_test: loaded.*\)/\1/p' "$log" | head -n 1)"
        # The client's report is also kept in DIR/client.log (make test-kernel prints its summary).
        kcom_wine_timeout "$client_timeout" wine "$client" "$@" | tee "$dir/client.log"
        client_status=${PIPESTATUS[0]}
        case $client_status in
            0) ;;
            1) fail "the client reported failed tests" ;;
            124|137) fail "the client did not finish within $client_timeout s" ;;
            *) fail "the client ended with status $client_status (the driver crashed or could not be reached)" ;;
        esac
        out=$(sc stop "$service")
        status=$?
        # DriverUnload runs during the stop; its report may land a moment later.
        for _ in $(seq 1 50); do
            grep -q "kcom_test: unload:" "$log" && break
            sleep 0.1
        done
        unload=$(sed -n 's/.*\(kcom_test: unload: .*\)/\1/p' "$log" | head -n 1)
        if [ -z "$unload" ]; then
            fail "DriverUnload did not run on sc stop (status $status): $out"
        elif [ "$unload" != "kcom_test: unload: 0 live kcom allocations" ]; then
            fail "DriverUnload reported: $unload"
        else
            say "$unload"
        fi
        # With the kernel executors, DriverUnload drains the driver's tracker first.
        drain=$(sed -n 's/.*\(kcom_test: drain: .*\)/\1/p' "$log" | head -n 1)
        if [ -n "$drain" ] && [ "$drain" != "kcom_test: drain: STATUS_SUCCESS, 0 tasks outstanding" ]; then
            fail "DriverUnload's drain reported: $drain"
        elif [ -n "$drain" ]; then
            say "$drain"
        fi
        # The default trace sink: kernel_platform traces one line through vDbgPrintExWithPrefix.
        if [ $# -eq 0 ] && ! grep -q "kernel_platform trace check: ok -42 7 -1 0000beef" "$log"; then
            fail "kcom's trace of kernel_platform did not reach the debug log"
        fi
    fi
fi
if grep -qE "wine_stub|Unhandled exception|KeBugCheck|page fault" "$log"; then
    fail "the driver log shows a crash"
fi

# ---- 5. end ---------------------------------------------------------------------------------------
end_session || fail "processes of the Wine session were left behind (killed)"
trap - INT TERM

elapsed=$(( $(date +%s) - start_time ))
if [ $failed -ne 0 ]; then
    print_log
    echo "run-kernel-tests: FAILED after ${elapsed} s" >&2
    exit 1
fi
say "passed in ${elapsed} s"
exit 0
