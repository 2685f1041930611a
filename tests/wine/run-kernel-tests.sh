#!/bin/bash
# run-kernel-tests.sh --driver kcom_test.sys --client kcom_test_client.exe --dir DIR
#                     [--timeout SECONDS] [-- CLIENT ARGS...]
#
# Runs the kcom kernel test driver under Wine and reports what its client reports:
#   1. checks the driver's imports, makes sure DIR/prefix is a ready private Wine prefix, starts a
#      session whose stderr becomes the driver log DIR/driver.log, and installs the driver
#      (wine-session.sh);
#   2. starts the driver, runs the client, stops the service (when the client says it waits for the
#      stop with IRPs pending, or once it is done) and checks that DriverUnload ran and
#      reported no live kcom allocation;
#   3. ends the session (wineserver -k, -w) and makes sure no process of it is left.
# Every Wine command has a time limit. The exit status is 0 only when the client passed, the
# driver unloaded cleanly and nothing timed out or crashed; otherwise the driver log is printed.
set -u

. "$(cd "$(dirname "$0")" && pwd)/wine-session.sh"

kcom_session_args run-kernel-tests 240 "$@"

# ---- 1. session -----------------------------------------------------------------------------------
kcom_session_begin

# ---- 2. driver and client ---------------------------------------------------------------------------
if [ $failed -eq 0 ]; then
    out=$(kcom_session_start_service)
    status=$?
    if [ $status -ne 0 ] || ! grep -q "kcom_test: loaded" "$log"; then
        kcom_session_fail "sc start $service (status $status): $out"
    else
        kcom_session_say "$(sed -n 's/.*\(kcom_test: loaded.*\)/\1/p' "$log" | head -n 1)"
        # The client's report is also kept in DIR/client.log (make test-kernel prints its summary).
        # Running every test, it ends by leaving IRPs pending and saying so: the service is stopped
        # under them (DriverUnload cancels them); otherwise the service is stopped once it is done.
        : >"$dir/client.log"
        kcom_wine_timeout "$client_timeout" wine "$client" "${client_args[@]}" >"$dir/client.log" 2>&1 8>&- &
        client_pid=$!
        while kill -0 "$client_pid" 2>/dev/null && ! grep -q "waiting for the service to stop" "$dir/client.log"; do
            sleep 0.1
        done
        stopped=0
        if grep -q "waiting for the service to stop" "$dir/client.log"; then
            out=$(sc stop "$service")
            status=$?
            stopped=1
        fi
        wait "$client_pid"
        client_status=$?
        client_pid=''
        cat "$dir/client.log"
        case $client_status in
            0) ;;
            1) kcom_session_fail "the client reported failed tests" ;;
            124|137) kcom_session_fail "the client did not finish within $client_timeout s" ;;
            *) kcom_session_fail "the client ended with status $client_status (the driver crashed or could not be reached)" ;;
        esac
        if [ $stopped -eq 0 ]; then
            out=$(sc stop "$service")
            status=$?
        fi
        # DriverUnload runs during the stop; its report may land a moment later.
        for _ in $(seq 1 50); do
            grep -q "kcom_test: unload:" "$log" && break
            sleep 0.1
        done
        unload=$(sed -n 's/.*\(kcom_test: unload: .*\)/\1/p' "$log" | head -n 1)
        if [ -z "$unload" ]; then
            kcom_session_fail "DriverUnload did not run on sc stop (status $status): $out"
        elif [ "$unload" != "kcom_test: unload: 0 live kcom allocations" ]; then
            kcom_session_fail "DriverUnload reported: $unload"
        else
            kcom_session_say "$unload"
        fi
        # With the kernel executors, DriverUnload drains the driver's tracker first.
        drain=$(sed -n 's/.*\(kcom_test: drain: .*\)/\1/p' "$log" | head -n 1)
        if [ -n "$drain" ] && [ "$drain" != "kcom_test: drain: STATUS_SUCCESS, 0 tasks outstanding" ]; then
            kcom_session_fail "DriverUnload's drain reported: $drain"
        elif [ -n "$drain" ]; then
            kcom_session_say "$drain"
        fi
        # With IRPs pending at the stop, DriverUnload drains the driver's IRP queue first.
        irp_drain=$(sed -n 's/.*\(kcom_test: irp drain: .*\)/\1/p' "$log" | head -n 1)
        case $irp_drain in
            ""|"kcom_test: irp drain: STATUS_SUCCESS, "*", 0 left") [ -n "$irp_drain" ] && kcom_session_say "$irp_drain" ;;
            *) kcom_session_fail "DriverUnload's IRP drain reported: $irp_drain" ;;
        esac
        # The default trace sink: kernel_platform traces one line through vDbgPrintExWithPrefix.
        if [ ${#client_args[@]} -eq 0 ] && ! grep -q "kernel_platform trace check: ok -42 7 -1 0000beef" "$log"; then
            kcom_session_fail "kcom's trace of kernel_platform did not reach the debug log"
        fi
    fi
fi
kcom_session_check_crash

# ---- 3. end ---------------------------------------------------------------------------------------
kcom_session_end || kcom_session_fail "processes of the Wine session were left behind (killed)"
trap - INT TERM

elapsed=$(( $(date +%s) - start_time ))
if [ $failed -ne 0 ]; then
    kcom_session_print_log
    echo "run-kernel-tests: FAILED after ${elapsed} s" >&2
    exit 1
fi
kcom_session_say "passed in ${elapsed} s"
exit 0
