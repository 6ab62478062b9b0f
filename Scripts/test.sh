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
echo "== fuzz the manifest loader briefly" >&2
Scripts/fuzz.sh 10

echo "== swift test" >&2
swift test --disable-xctest
