#!/usr/bin/env bash
# The main job: builds ngcpctl and the bundled emulator, starts the emulator on 127.0.0.1,
# plans and applies examples/ against it, then shows that a second plan is empty.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-deps.sh
swift build --product ngcpctl
swift build --product ngcp-emulator
bin="$(swift build --show-bin-path)"

workdir="$(mktemp -d)"
emulator_pid=""
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    rm -rf "$workdir"
}
trap cleanup EXIT

"$bin/ngcp-emulator" --listen 127.0.0.1:0 --db "$workdir/ngcp.sqlite" >"$workdir/emulator.out" &
emulator_pid=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$workdir/emulator.out" 2>/dev/null && break
    sleep 0.1
done
url="$(grep -o 'http://[0-9.:]*' "$workdir/emulator.out" | head -n 1)"
[ -n "$url" ] || { echo "error: the emulator did not start" >&2; exit 1; }

export NGCP_URL="$url" NGCP_USER=administrator NGCP_PASSWORD=administrator
# The examples read their SIP and web passwords from these variables; the demo makes up
# random ones for each run.
for name in $(grep -rhoE --include='*.yaml' '\{env: *[A-Z0-9_]+\}' examples | grep -oE '[A-Z0-9_]+' | sort -u); do
    export "$name=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
done

echo "== ngcpctl plan examples/ (against $url)"
"$bin/ngcpctl" plan examples/
echo
echo "== ngcpctl apply examples/ --auto-approve (the demo neither records the run in git nor minds local edits)"
"$bin/ngcpctl" apply examples/ --auto-approve --no-record --allow-dirty
echo
echo "== ngcpctl plan examples/ --detailed-exitcode (expected: no changes)"
"$bin/ngcpctl" plan examples/ --detailed-exitcode
