#!/usr/bin/env bash
# Kill test: runs `ngcpctl apply examples/` against an ngcp-emulator with a file database,
# SIGKILLs ngcpctl at a random moment, applies again, and checks that the second apply
# converges (the next plan is empty) and left no duplicate domains, customers, contacts or
# subscribers. Prints a tally; exits 1 when any run did not converge or left a duplicate.
#
# Usage: Benchmarks/killtest/run.sh [RUNS] (default 50)
# Environment: LATENCY_MS (emulator latency per request, default 5), PARALLELISM (default
# ngcpctl's), MAX_SECONDS (stop starting runs after this long, default 600).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs="${1:-50}"
latency="${LATENCY_MS:-5}"
max_seconds="${MAX_SECONDS:-600}"
parallel_args=()
[ -n "${PARALLELISM:-}" ] && parallel_args=(--parallelism "$PARALLELISM")

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

# The examples read their passwords from these variables.
for name in $(grep -rhoE --include='*.yaml' '\{env: *[A-Z0-9_]+\}' examples \
    | grep -oE '[A-Z0-9_]+' | sort -u); do
    export "$name=killtest-$name"
done
export NGCP_USER=administrator NGCP_PASSWORD=administrator

start_emulator() {
    "$bin/ngcp-emulator" --listen 127.0.0.1:0 --db "$1/ngcp.sqlite" --latency-ms "$latency" \
        >"$1/emulator.out" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 100); do
        grep -q 'listening on' "$1/emulator.out" 2>/dev/null && break
        sleep 0.05
    done
    NGCP_URL="$(grep -o 'http://[0-9.:]*' "$1/emulator.out" | head -n 1)"
    export NGCP_URL
}

stop_emulator() {
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
}

# Prints one line per duplicate found through the API; nothing when there is none.
find_duplicates() {
    python3 - "$NGCP_URL" <<'PY'
import base64, collections, json, sys, urllib.request
base = sys.argv[1]
auth = base64.b64encode(b"administrator:administrator").decode()
def items(collection):
    request = urllib.request.Request(f"{base}/api/{collection}/?rows=1000",
                                     headers={"Authorization": "Basic " + auth})
    body = json.load(urllib.request.urlopen(request, timeout=30))
    return body.get("_embedded", {}).get(f"ngcp:{collection}", [])
customers = items("customers")
keys = {
    "domain": [d["domain"].lower() for d in items("domains")],
    "customer": [c.get("external_id") for c in customers if c.get("external_id")],
    "subscriber": [f'{s["username"]}@{s["domain"]}'.lower() for s in items("subscribers")
                   if s.get("status") != "terminated"],
    "contact": [(c["email"].lower(), c.get("reseller_id")) for c in items("customercontacts")],
}
for kind, values in keys.items():
    for value, count in collections.Counter(values).items():
        if count > 1:
            print(f"duplicate {kind} {value} x{count}")
used = {c.get("contact_id") for c in customers}
for contact in items("customercontacts"):
    if contact["id"] > 2 and contact["id"] not in used:
        print(f"orphan contact {contact['id']} {contact['email']}")
PY
}

# How long an uninterrupted apply takes, so kill points spread over all of it.
probe="$workdir/probe"
mkdir -p "$probe"
start_emulator "$probe"
t0=$(date +%s%N)
"$bin/ngcpctl" apply examples/ --auto-approve --journal "$probe/journal.jsonl" \
    "${parallel_args[@]}" >/dev/null 2>&1
full_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
stop_emulator
echo "killtest: an uninterrupted apply takes ${full_ms} ms; killing at 0..$((full_ms * 11 / 10)) ms"

killed=0 finished_first=0 converged=0 second_rerun=0 failed=0 duplicates=0 started=$(date +%s)
for run in $(seq "$runs"); do
    if [ $(( $(date +%s) - started )) -ge "$max_seconds" ]; then
        echo "killtest: time budget of ${max_seconds}s used up after $((run - 1)) runs"
        runs=$((run - 1))
        break
    fi
    dir="$workdir/run$run"
    mkdir -p "$dir"
    start_emulator "$dir"
    journal="$dir/journal.jsonl"

    delay_ms=$(( RANDOM * RANDOM % (full_ms * 11 / 10 + 1) ))
    "$bin/ngcpctl" apply examples/ --auto-approve --journal "$journal" \
        "${parallel_args[@]}" >"$dir/first.out" 2>&1 &
    apply_pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -KILL "$apply_pid" 2>/dev/null; then
        killed=$((killed + 1))
    else
        finished_first=$((finished_first + 1))
    fi
    wait "$apply_pid" 2>/dev/null || true

    # One rerun must converge; a second is counted separately.
    status=0
    timeout 120 "$bin/ngcpctl" apply examples/ --auto-approve --journal "$journal" \
        "${parallel_args[@]}" >"$dir/second.out" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        second_rerun=$((second_rerun + 1))
        timeout 120 "$bin/ngcpctl" apply examples/ --auto-approve --journal "$journal" \
            "${parallel_args[@]}" >"$dir/third.out" 2>&1 || true
    fi

    plan_status=0
    timeout 120 "$bin/ngcpctl" plan examples/ --detailed-exitcode >"$dir/plan.out" 2>&1 \
        || plan_status=$?
    found="$(find_duplicates)"
    if [ "$plan_status" -eq 0 ]; then
        converged=$((converged + 1))
    else
        failed=$((failed + 1))
        echo "run $run (kill at ${delay_ms} ms): plan not empty (exit $plan_status)"
        sed 's/^/    /' "$dir/second.out" | tail -n 5
    fi
    if [ -n "$found" ]; then
        duplicates=$((duplicates + 1))
        echo "run $run (kill at ${delay_ms} ms):"
        echo "$found" | sed 's/^/    /'
    fi
    stop_emulator
    rm -rf "$dir"
done

echo "killtest tally: runs=$runs killed=$killed finished_before_kill=$finished_first" \
    "converged=$converged not_converged=$failed needed_second_rerun=$second_rerun" \
    "runs_with_duplicates=$duplicates elapsed=$(( $(date +%s) - started ))s"
[ "$failed" -eq 0 ] && [ "$duplicates" -eq 0 ]
