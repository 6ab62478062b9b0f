#!/usr/bin/env bash
# Runs the whole test suite: the formatter's lint, then every unit, integration and end-to-end
# test, including the replay of the recorded NGCP scenarios against the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-deps.sh

echo "== swift format lint" >&2
swift format lint --strict --recursive Sources Tests Benchmarks Package.swift

echo "== swift build" >&2
swift build --build-tests

# A short fuzzing run of the manifest loader, so that the fuzz target keeps building and the
# seeds keep loading without a crash. Longer runs: Scripts/fuzz.sh SECONDS. It runs before the
# tests, so that their closing line stays the last line of the output.
# Its output (the linker's and libFuzzer's, several hundred lines) goes to a log, and only
# its closing line is shown unless it fails.
mkdir -p .build/fuzz
log=.build/fuzz/test-run.log
echo "== fuzz the manifest loader briefly (log: $log)" >&2
if ! Scripts/fuzz.sh 10 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "error: the fuzz run failed; the whole log is $log" >&2
    exit 1
fi
grep -E '^Done [0-9]+ runs' "$log" >&2 || true

echo "== swift test" >&2
swift test --disable-xctest
