# wine-session.sh - the driver session both Wine runners share (run-kernel-tests.sh,
# run-sample.sh); source it, do not run it. It sources wine-prefix.sh.
#
#   kcom_session_args NAME TIMEOUT ARGS...  parses --driver X.sys --client Y.exe --dir DIR
#                                 [--timeout SECONDS] [-- CLIENT ARGS...] (TIMEOUT: the default)
#                                 and checks the files and tools; sets driver, client, dir
#                                 (absolute), client_timeout, client_args (an array), service (the
#                                 driver's name), log (DIR/driver.log) and start_time. NAME
#                                 prefixes every message. Exits 2 on a usage error.
#   kcom_session_begin            checks the driver's imports against what Wine implements,
#                                 waits for another run's session in DIR to end (the lock
#                                 DIR/.session), makes DIR/prefix a ready private prefix, ends a
#                                 session an earlier run left, starts a persistent server and a
#                                 session whose first process's stderr, inherited by services.exe
#                                 and winedevice.exe, becomes the driver log (DbgPrint is Wine's
#                                 warn+debugstr channel), and installs the driver as a
#                                 demand-start kernel service. Exits 1 when there is no session to
#                                 run in.
#   kcom_session_lock             takes DIR's session lock, waiting for another run's session
#   sc ARGS...                    Wine's sc.exe with a time limit, its output on stdout
#   kcom_session_start_service    sc start of the driver's service, its output on stdout and
#                                 Wine's errors with it; a start refused before the driver ran is
#                                 tried again
#   kcom_session_fail MESSAGE     reports a failure; failed becomes 1
#   kcom_session_check_crash      fails when the driver log shows a crash
#   kcom_session_end              ends the session (wineserver -k, -w) and kills what is left of
#                                 it; returns 1 when something had to be killed
#   kcom_session_print_log        the driver log on stderr, without Wine's channel prefixes
#
# Every Wine command has a time limit. A runner that starts a client in the background sets
# client_pid, which an interrupt (INT, TERM) kills before it ends the session.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/wine-prefix.sh"

failed=0
client_pid=''

kcom_session_say() { echo "$kcom_session_name: $*"; }

kcom_session_fail() {
    echo "$kcom_session_name: FAILED: $*" >&2
    failed=1
}

kcom_session_args() {
    kcom_session_name=$1
    client_timeout=$2
    shift 2
    local usage="usage: $kcom_session_name --driver X.sys --client Y.exe --dir DIR [--timeout SECONDS] [-- CLIENT ARGS]"
    driver='' client='' dir=''
    client_args=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --driver) driver=$2; shift 2 ;;
            --client) client=$2; shift 2 ;;
            --dir) dir=$2; shift 2 ;;
            --timeout) client_timeout=$2; shift 2 ;;
            --) shift; client_args=("$@"); break ;;
            *) echo "$usage" >&2; exit 2 ;;
        esac
    done
    [ -n "$driver" ] && [ -n "$client" ] && [ -n "$dir" ] || { echo "$usage" >&2; exit 2; }
    local file tool
    for file in "$driver" "$client"; do
        [ -f "$file" ] || { echo "$kcom_session_name: no such file: $file (build it first)" >&2; exit 2; }
    done
    for tool in wine wineserver winedump timeout flock; do
        command -v "$tool" >/dev/null || { echo "$kcom_session_name: $tool not found (make windows-packages)" >&2; exit 2; }
    done
    service=$(basename "$driver" .sys)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    log=$dir/driver.log
    start_time=$(date +%s)
}

# The prefix's own processes: Wine processes carry WINEPREFIX in their environment.
kcom_session_processes() {
    local pid
    for pid in /proc/[0-9]*; do
        pid=${pid#/proc/}
        [ "$pid" = $$ ] && continue
        tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "WINEPREFIX=$WINEPREFIX" && echo "$pid"
    done
}

kcom_session_end() {
    kcom_wine_timeout 30 wineserver -k >/dev/null 2>&1
    kcom_wine_timeout 30 wineserver -w >/dev/null 2>&1
    local leftover
    leftover=$(kcom_session_processes)
    if [ -n "$leftover" ]; then
        # Only processes of this script's private prefix, by process id.
        # shellcheck disable=SC2086
        kill -KILL $leftover 2>/dev/null
        return 1
    fi
    return 0
}

kcom_session_print_log() {
    echo "---- driver log ($log) ----" >&2
    if [ -s "$log" ]; then
        # The Wine channel prefixes are noise; the DbgPrint text follows "debugstr:".
        sed -e 's/^[0-9a-f]*:warn:debugstr:[A-Za-z_]*[ :]*//' -e 's/^[0-9a-f]*:[0-9a-f]*: //' "$log" >&2
    else
        echo "(empty)" >&2
    fi
    echo "---- end of driver log ----" >&2
}

# sc.exe through Wine. Wine sometimes fails to start the program itself ("Application could not
# be started", ShellExecuteEx's internal error) while its session is still settling: sc did not
# run, so running it again is safe; up to three tries, a second apart. Any answer of sc's own is
# returned as it is.
sc() {
    local out status try
    for try in 1 2 3; do
        out=$(kcom_wine_timeout 60 wine sc "$@" 2>&1)
        status=$?
        case "$out" in
        *"could not be started"*) [ $try -lt 3 ] && sleep 1 && continue ;;
        esac
        break
    done
    printf '%s\n' "$out"
    return $status
}

# Wine's sc reports a failed StartService on its err channel alone, which the session's WINEDEBUG
# leaves out (sc then exits 1 without a word): that channel is on here, so that the error's code
# is in the output. Such a silent refusal has been seen once while the session settled, before the
# driver ran: a start is tried again (up to three tries, a second apart) only while the log holds
# nothing of the driver's, so a driver that ran and failed is never started twice.
kcom_session_start_service() {
    local out status try
    for try in 1 2 3; do
        out=$(WINEDEBUG=-all,err+all sc start "$service")
        status=$?
        [ $status -ne 0 ] && [ $try -lt 3 ] && ! grep -qF "$service: " "$log" || break
        sleep 1
    done
    printf '%s\n' "$out"
    return $status
}

# One session per prefix: a second run in the same directory (two make commands at once) waits
# for the first (up to KCOM_SESSION_WAIT seconds, 900 by default) instead of ending its session as
# one left behind. The lock, DIR/.session on descriptor 8, is held until this script exits; no Wine
# process inherits it (kcom_wine_timeout), nor does a subshell that waits for one in the
# background (started with 8>&-): what a killed run leaves does not hold the lock.
kcom_session_lock() {
    local wait=${KCOM_SESSION_WAIT:-900}
    exec 8>"$dir/.session"
    if ! flock -n 8; then
        kcom_session_say "waiting for another run's session in $dir to end"
        flock -w "$wait" 8 || { kcom_session_fail "another run's session in $dir did not end within $wait s"; exit 1; }
    fi
}

kcom_session_begin() {
    local out status try
    out=$("$here/check-driver-imports.sh" "$driver" 2>&1) ||
        { echo "$out" >&2; kcom_session_fail "the driver imports what Wine cannot run"; exit 1; }

    # before WINEPREFIX is exported: the first run's end kills every process that carries it
    kcom_session_lock
    kcom_wine_prefix_ensure "$dir" || { kcom_session_fail "no Wine prefix in $dir"; exit 1; }
    kcom_wine_env "$dir"
    if [ -n "$(kcom_session_processes)" ]; then
        kcom_session_say "ending a session left by an earlier run"
        kcom_session_end || kcom_session_say "some of its processes had to be killed"
    fi
    trap '[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null; kcom_session_end; exit 130' INT TERM

    : >"$log"
    kcom_wine_timeout 30 wineserver -p || { kcom_session_fail "wineserver -p"; kcom_session_print_log; exit 1; }
    # The first process starts services.exe, whose children (winedevice.exe hosting the driver)
    # inherit this stderr and WINEDEBUG: DbgPrint output lands in the log.
    WINEDEBUG=-all,err+all,warn+debugstr kcom_wine_timeout 90 wine cmd /c exit 0 >/dev/null 2>>"$log"
    status=$?
    if [ $status -ne 0 ]; then
        kcom_session_fail "the Wine session did not start (status $status)"
        kcom_session_end
        rm -f "$WINEPREFIX/.kcom-ready" # a prefix that cannot start a session is remade next time
        kcom_session_print_log
        exit 1
    fi

    cp "$driver" "$WINEPREFIX/drive_c/windows/system32/drivers/$service.sys" ||
        { kcom_session_fail "copying the driver"; kcom_session_end; exit 1; }
    if ! sc query "$service" >/dev/null; then
        # Wine's sc create has also failed without a word while the session settled: such a
        # failure is tried again here, unless the service is there after all (sc above cannot
        # retry every silent failure: a query of a missing service is one); an answer of sc's
        # own is final.
        for try in 1 2 3; do
            out=$(sc create "$service" type= kernel start= demand binPath= "C:\\windows\\system32\\drivers\\$service.sys")
            status=$?
            [ $status -eq 0 ] && break
            sc query "$service" >/dev/null && { status=0; break; }
            [ -z "$out" ] && [ $try -lt 3 ] || break
            sleep 1
        done
        [ $status -eq 0 ] || kcom_session_fail "sc create $service (status $status): $out"
    fi
}

kcom_session_check_crash() {
    if grep -qE "wine_stub|Unhandled exception|KeBugCheck|page fault" "$log"; then
        kcom_session_fail "the driver log shows a crash"
    fi
}
