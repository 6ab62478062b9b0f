#!/usr/bin/env bash
# Measures how long `ngcpctl apply examples/` takes to execute its plan at several
# --parallelism values, against an emulator whose every request costs LATENCY_MS and whose
# HTTP worker count is WORKERS, as a stand-in for NGCP's bcrypt-bound workers.
#
# Usage: Benchmarks/killtest/parallelism.sh [LEVELS...] (default 1 2 3 4 8)
# Environment: LATENCY_MS (default 200), WORKERS (default 2).
set -euo pipefail
cd "$(dirname "$0")/../.."

levels=("${@:-1 2 3 4 8}")
[ $# -eq 0 ] && levels=(1 2 3 4 8)
latency="${LATENCY_MS:-200}"
workers="${WORKERS:-2}"

swift build --product ngcpctl >/dev/null
swift build --product ngcp-emulator >/dev/null
bin="$(swift build --show-bin-path)"
workdir="$(mktemp -d)"
emulator_pid=""
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

for name in $(grep -rhoE --include='*.yaml' '\{env: *[A-Z0-9_]+\}' examples \
    | grep -oE '[A-Z0-9_]+' | sort -u); do
    export "$name=bench-$name"
done
export NGCP_USER=administrator NGCP_PASSWORD=administrator

echo "latency ${latency} ms per request, ${workers} emulator workers"
for level in "${levels[@]}"; do
    dir="$workdir/p$level"
    mkdir -p "$dir"
    "$bin/ngcp-emulator" --listen 127.0.0.1:0 --db "$dir/ngcp.sqlite" \
        --latency-ms "$latency" --threads "$workers" >"$dir/emulator.out" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 100); do
        grep -q 'listening on' "$dir/emulator.out" 2>/dev/null && break
        sleep 0.05
    done
    NGCP_URL="$(grep -o 'http://[0-9.:]*' "$dir/emulator.out" | head -n 1)"
    export NGCP_URL
    "$bin/ngcpctl" apply examples/ --auto-approve --parallelism "$level" \
        --journal "$dir/journal.jsonl" >/dev/null 2>"$dir/apply.err"
    echo "parallelism $level: $(grep -o 'in [0-9.]*s' "$dir/apply.err" | tail -n 1)"
    kill "$emulator_pid"
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
done
