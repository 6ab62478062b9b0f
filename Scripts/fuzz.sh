#!/usr/bin/env bash
# Builds a libFuzzer binary from the YAMLReader, Manifests and NGCPCore sources plus
# Fuzz/ManifestFuzz.swift (with AddressSanitizer), then fuzzes the manifest loader for the
# given number of seconds, starting from the invalid-manifest corpus and examples/.
#
#   Scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]     (default 60 seconds)
#
# Crashing inputs are written to .build/fuzz/crashes/; turn each into a file under
# Tests/ManifestsTests/Corpus/ with its expected diagnostics.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
out=.build/fuzz
mkdir -p "$out/crashes" "$out/corpus"

flags=(-sanitize=fuzzer,address -parse-as-library -package-name ngcpctl -O -g -I "$out"
    -I Sources/CYaml -I Sources/CMalloc)

build_module() {
    local name="$1"
    shift
    swiftc "${flags[@]}" -module-name "$name" -emit-module \
        -emit-module-path "$out/$name.swiftmodule" -emit-library -static \
        -o "$out/lib$name.a" "$@"
}

echo "== building the fuzz target in $out"
build_module NGCPCore Sources/NGCPCore/*.swift
build_module YAMLReader Sources/YAMLReader/*.swift
build_module Manifests Sources/Manifests/*.swift
swiftc "${flags[@]}" -module-name ManifestFuzz Fuzz/ManifestFuzz.swift \
    -L "$out" -lManifests -lYAMLReader -lNGCPCore -lyaml -o "$out/manifest-fuzz"

# Seeds: the invalid corpus and the examples; libFuzzer adds what it finds to $out/corpus.
seeds="$out/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
cp Tests/ManifestsTests/Corpus/*.yaml "$seeds"/
find examples -name '*.yaml' -exec cp {} "$seeds"/ \;

# Leak checks are off: Swift's lazily initialised globals (field tables, the preference
# catalogue) are allocated on first use and never freed, which libFuzzer's per-input leak
# check reports as a leak of the input that happened to touch them first.
echo "== fuzzing for $seconds seconds"
ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$out/manifest-fuzz" "$out/corpus" "$seeds" \
    -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$@"
