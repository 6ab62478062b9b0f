#!/usr/bin/env bash
# Manifest loading benchmark: builds the loader with -O (as a release build does), generates
# 50,000 subscribers in 1,000 files (plus customers and domains) in a temporary directory,
# loads them in a fresh process and prints CPU time, wall time and peak RSS as JSON and as
# a table. Two more fresh processes print the same figures. The first reads the same files
# into YAML trees alone, as the loader does: with libyaml only for files outside the subset
# that ngcpctl reads itself. The second runs libyaml's event parser alone over them.
#
#   Benchmarks/manifests/run.sh [FILES] [SUBSCRIBERS_PER_FILE]     (default 1000 50)
#
# With VARIED=1 in the environment, each subscriber forwards to a number of its own at
# varying hours, with varying preference values; by default all subscribers share their call
# forwards, and their preferences but the display name.
set -euo pipefail
cd "$(dirname "$0")/../.."

files="${1:-1000}"
per_file="${2:-50}"
out=.build/benchmarks/manifests
mkdir -p "$out"
flags=(-O -parse-as-library -package-name ngcpctl -I "$out" -I Sources/CYaml -I Sources/CMalloc)

build_module() {
    local name="$1"
    shift
    swiftc "${flags[@]}" -wmo -module-name "$name" -emit-module \
        -emit-module-path "$out/$name.swiftmodule" -emit-library -static \
        -o "$out/lib$name.a" "$@"
}

build_module NGCPCore Sources/NGCPCore/*.swift
build_module YAMLReader Sources/YAMLReader/*.swift
build_module Manifests Sources/Manifests/*.swift
swiftc "${flags[@]}" -module-name LoadBenchmark Benchmarks/manifests/LoadBenchmark.swift \
    -L "$out" -lManifests -lYAMLReader -lNGCPCore -lyaml -o "$out/load-benchmark"

data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
"$out/load-benchmark" generate "$data" "$files" "$per_file" ${VARIED:+varied}
"$out/load-benchmark" measure "$data"
echo
"$out/load-benchmark" read-only "$data"
echo
"$out/load-benchmark" parse-only "$data"
