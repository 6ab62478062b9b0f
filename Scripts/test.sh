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

echo "== swift test" >&2
swift test --disable-xctest
