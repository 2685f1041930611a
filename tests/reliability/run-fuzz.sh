#!/bin/sh
# run-fuzz.sh FUZZER WORK_DIR SEED_CORPUS [SECONDS] - runs the libFuzzer build of the API fuzzer
# (tests/reliability/fuzz_api.c) for SECONDS (the environment's KCOM_FUZZ_SECONDS first, then the
# argument, then 30), on WORK_DIR/corpus (where libFuzzer keeps the inputs it finds) merged with
# the seeds, which it never writes to. A crash leaves its input in WORK_DIR/artifacts/: copy it to
# tests/reliability/corpus/ as a regression input (every configuration replays that directory).
# Prints libFuzzer's last lines and its statistics (the last line also to WORK_DIR/summary.txt);
# fails when the fuzzer does.
set -u
fuzzer=$1
work=$2
seeds=$3
seconds=${KCOM_FUZZ_SECONDS:-${4:-30}}
mkdir -p "$work/corpus" "$work/artifacts"
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$work/fuzz.log" 2>&1 || status=$?
tail -n 25 "$work/fuzz.log"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")
echo "fuzz: ${seconds} s, ${runs:-?} inputs run, ${speed:-?} per second, corpus of $(ls "$work/corpus" | wc -l) inputs, exit status $status" \
    | tee "$work/summary.txt"
if [ "$status" -ne 0 ]; then
    echo "fuzz: FAILED; the input is in $work/artifacts/ (add it to $seeds)"
fi
exit "$status"
