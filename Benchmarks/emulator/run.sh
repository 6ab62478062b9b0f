#!/usr/bin/env bash
# Emulator throughput: requests per second for an item GET and for a page of 1000 subscribers,
# measured with wrk against a release build of ngcp-emulator with generated data.
#
# Usage: Benchmarks/emulator/run.sh [SECONDS] (default 10 per measurement)
# Environment: CUSTOMERS (default 2000), SUBSCRIBERS (default 10000), CONNECTIONS (default 4).
# Needs wrk (Debian package 'wrk').
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-10}"
customers="${CUSTOMERS:-2000}"
subscribers="${SUBSCRIBERS:-10000}"
connections="${CONNECTIONS:-4}"
command -v wrk >/dev/null || { echo "error: wrk is missing; apt-get install wrk" >&2; exit 1; }

swift build -c release --product ngcp-emulator >&2
bin="$(swift build -c release --show-bin-path)"
workdir="$(mktemp -d)"
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$workdir"
}
trap cleanup EXIT

"$bin/ngcp-emulator" --listen 127.0.0.1:0 --db "$workdir/ngcp.sqlite" \
    --generate "customers=$customers,subscribers=$subscribers" >"$workdir/out" &
pid=$!
for _ in $(seq 600); do
    grep -q 'listening on' "$workdir/out" 2>/dev/null && break
    sleep 0.1
done
url="$(grep -o 'http://[0-9.:]*' "$workdir/out" | head -n 1)"
[ -n "$url" ] || { echo "error: the emulator did not start" >&2; exit 1; }
auth="Authorization: Basic $(printf 'administrator:administrator' | base64)"

measure() {
    local name="$1" path="$2"
    local rate latency
    local output
    output="$(wrk -t1 -c"$connections" -d"${seconds}s" -H "$auth" "$url$path")"
    rate="$(echo "$output" | awk '/Requests\/sec/ {print $2}')"
    latency="$(echo "$output" | awk '/Latency/ {print $2; exit}')"
    printf '| %s | %s | %s |\n' "$name" "$rate" "$latency"
}

echo "ngcp-emulator, $customers customers, $subscribers subscribers, wrk -t1 -c$connections, ${seconds}s each"
echo
echo "| request | requests/s | mean latency |"
echo "|---|---|---|"
measure "item GET /api/subscribers/1" "/api/subscribers/1"
measure "page GET /api/subscribers/?rows=1000" "/api/subscribers/?page=1&rows=1000&order_by=id"
measure "page GET /api/customers/?rows=100" "/api/customers/?page=1&rows=100&order_by=id"
