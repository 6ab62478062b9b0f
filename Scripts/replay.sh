#!/usr/bin/env bash
# Builds ngcp-emulator, starts it on a free port with an in-memory database, replays the
# recorded NGCP scenarios against it and stops it again. Exit status is the replay's.
#
# Usage: Scripts/replay.sh [replay.py options...]
# The transcripts directory is $NGCP_TRANSCRIPTS, or ../shared/ngcp-transcripts next to the
# repository.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
transcripts="${NGCP_TRANSCRIPTS:-$root/../shared/ngcp-transcripts}"
if [[ ! -f "$transcripts/replay.py" ]]; then
    echo "replay.sh: no replay.py in '$transcripts'; set NGCP_TRANSCRIPTS" >&2
    exit 2
fi

swift build --package-path "$root" --product ngcp-emulator >&2
binary="$(swift build --package-path "$root" --show-bin-path)/ngcp-emulator"

output="$(mktemp)"
trap 'kill "$pid" 2>/dev/null || true; rm -f "$output"' EXIT
"$binary" --listen 127.0.0.1:0 --db :memory: >"$output" &
pid=$!

# Wait for the single "listening on" line rather than sleeping a fixed time.
for _ in $(seq 1 100); do
    if grep -q "listening on" "$output"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "replay.sh: ngcp-emulator exited before it was ready" >&2
        exit 1
    fi
    sleep 0.1
done
url="$(sed -n 's/^ngcp-emulator listening on //p' "$output")"
if [[ -z "$url" ]]; then
    echo "replay.sh: ngcp-emulator did not report its address within 10 s" >&2
    exit 1
fi

python3 "$transcripts/replay.py" --base-url "$url" "$@" "$transcripts/scenarios/"
