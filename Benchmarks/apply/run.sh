#!/usr/bin/env bash
# Apply scaling: runs `ngcpctl apply` of N generated subscribers against an empty
# ngcp-emulator process (release build) for each N, and prints the CPU time of ngcpctl and of
# the emulator per operation, so that a cost growing faster than the operation count shows.
#
#   Benchmarks/apply/run.sh                 # N = 1000 4000 10000
#   Benchmarks/apply/run.sh 500 2000        # other sizes
#
# The manifests: one domain, one customer (with a contact) per 50 subscribers, and one
# subscriber with a primary number and one preference each: 2N + 2N/50 + 1 operations.
# Environment: PARALLELISM (default ngcpctl's), NO_BUILD=1 to use the existing release
# binaries, BIN_DIR to take ngcpctl and ngcp-emulator from another directory, KEEP=1 to keep
# the work directory.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 4000 10000)
parallel_args=()
[ -n "${PARALLELISM:-}" ] && parallel_args=(--parallelism "$PARALLELISM")

if [ -z "${NO_BUILD:-}" ]; then
    echo "building release binaries" >&2
    (cd "$root" && swift build -c release --product ngcpctl >&2 \
        && swift build -c release --product ngcp-emulator >&2)
fi
bin=${BIN_DIR:-$root/.build/release}

work=$(mktemp -d)
emulator=""
cleanup() {
    if [ -n "$emulator" ]; then kill "$emulator" 2>/dev/null || true; fi
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

export NGCP_USER=administrator NGCP_PASSWORD=administrator
export BENCH_SIP_PASSWORD=bench-Secret-7

# CPU seconds (user + system) that process $1 has used so far, from /proc/PID/stat.
cpu_seconds() {
    awk -v ticks="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / ticks }' "/proc/$1/stat"
}

generate() {
    python3 - "$1" "$2" <<'PY'
import os, sys
count, directory = int(sys.argv[1]), sys.argv[2]
os.makedirs(directory, exist_ok=True)
with open(f"{directory}/domains.yaml", "w") as out:
    out.write("apiVersion: ngcpctl/v1\nkind: Domain\nmetadata:\n  name: bench.example.org\n"
              "spec: {}\n")
per_customer = 50
for customer in range((count + per_customer - 1) // per_customer):
    lines = [
        "apiVersion: ngcpctl/v1", "kind: Customer", "metadata:",
        f"  name: bench-{customer:05d}", "spec:", "  billing_profile: default",
        "  contact:", f"    email: office@bench-{customer:05d}.example",
    ]
    first = customer * per_customer
    for index in range(first, min(count, first + per_customer)):
        lines += [
            "---", "apiVersion: ngcpctl/v1", "kind: Subscriber", "metadata:",
            f"  name: user{index:06d}@bench.example.org", "spec:",
            f"  customer: bench-{customer:05d}",
            "  password: {env: BENCH_SIP_PASSWORD}",
            f'  primary_number: {{cc: 43, ac: "1", sn: "{5000000 + index}"}}',
            "  preferences:", "    block_in_clir: true",
        ]
    with open(f"{directory}/customer-{customer:05d}.yaml", "w") as out:
        out.write("\n".join(lines) + "\n")
PY
}

echo "| subscribers | operations | ngcpctl CPU s | ngcpctl ms/op | emulator CPU s | emulator ms/op | wall s |"
echo "|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do
    run=$work/n$size
    mkdir -p "$run"
    generate "$size" "$run/manifests"
    "$bin/ngcp-emulator" --listen 127.0.0.1:0 --db "$run/ngcp.sqlite" \
        >"$run/emulator.out" 2>"$run/emulator.err" &
    emulator=$!
    for _ in $(seq 300); do
        grep -q 'listening on' "$run/emulator.out" 2>/dev/null && break
        kill -0 "$emulator" 2>/dev/null || { cat "$run/emulator.err" >&2; exit 1; }
        sleep 0.1
    done
    export NGCP_URL
    NGCP_URL=$(sed -n 's/.*listening on //p' "$run/emulator.out" | head -n 1)

    echo "applying $size subscribers" >&2
    emulator_before=$(cpu_seconds "$emulator")
    /usr/bin/time -f '%e %U %S' -o "$run/time.txt" \
        "$bin/ngcpctl" apply "$run/manifests" --auto-approve --format json \
        --journal "$run/journal.jsonl" "${parallel_args[@]}" \
        >"$run/apply.json" 2>"$run/apply.err" || {
        echo "ngcpctl apply failed; the end of its output:" >&2
        tail -5 "$run/apply.err" >&2
        exit 1
    }
    emulator_after=$(cpu_seconds "$emulator")
    kill "$emulator"
    wait "$emulator" 2>/dev/null || true
    emulator=""

    operations=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["operations"]))' \
        "$run/apply.json")
    read -r wall user system <"$run/time.txt"
    awk -v n="$size" -v ops="$operations" -v user="$user" -v sys="$system" \
        -v eb="$emulator_before" -v ea="$emulator_after" -v wall="$wall" 'BEGIN {
        cpu = user + sys; emu = ea - eb
        printf "| %d | %d | %.2f | %.3f | %.2f | %.3f | %.1f |\n",
            n, ops, cpu, 1000 * cpu / ops, emu, 1000 * emu / ops, wall
    }'
done
