#!/usr/bin/env bash
# Measures `ngcpctl plan` against a generated emulator and compares it with curl fetching the
# same pages and with reading one item per request. Writes results/latest.json and prints a
# Markdown table.
#
#   Benchmarks/run.sh                       # 10,000 customers, 50,000 subscribers
#   CUSTOMERS=1000 SUBSCRIBERS=5000 Benchmarks/run.sh
#
# Settings (environment): CUSTOMERS, SUBSCRIBERS, FEATURED (share with a call forward and
# extra preferences, default 0.2), READ_CONCURRENCY (default 3), PAGE_SIZE (default 100),
# RUNS (plan runs, the median is reported, default 3), PER_ITEM_SAMPLE (default 600),
# PIN (default 1: with two or more cores, the emulator runs on core 0 and ngcpctl and curl on
# core 1, as a server and its client run on separate machines; 0 lets them share all cores),
# NO_BUILD=1 (use the existing release build), NGCPCTL (another ngcpctl binary to measure).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
customers=${CUSTOMERS:-10000}
subscribers=${SUBSCRIBERS:-50000}
featured=${FEATURED:-0.2}
concurrency=${READ_CONCURRENCY:-3}
page_size=${PAGE_SIZE:-100}
runs=${RUNS:-3}
sample=${PER_ITEM_SAMPLE:-600}
pin=${PIN:-1}
results=$root/Benchmarks/results
work=$(mktemp -d)
mkdir -p "$results"

if [ -z "${NO_BUILD:-}" ]; then
    echo "building release binaries" >&2
    (cd "$root" && swift build -c release --product ngcpctl >&2 \
        && swift build -c release --product ngcp-emulator >&2)
fi
bin=$root/.build/release
ngcpctl=${NGCPCTL:-$bin/ngcpctl}

echo "generating $customers customers and $subscribers subscribers" >&2
"$bin/ngcp-emulator" --listen 127.0.0.1:0 --db "$work/ngcp.sqlite" \
    --generate "customers=$customers,subscribers=$subscribers,featured=$featured" \
    >"$work/emulator.out" 2>"$work/emulator.err" &
emulator=$!
# KEEP=1 keeps the work directory (logs, manifests, plans) for inspection.
trap 'kill "$emulator" 2>/dev/null; wait "$emulator" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 600); do
    grep -q 'listening on' "$work/emulator.out" 2>/dev/null && break
    kill -0 "$emulator" 2>/dev/null || { cat "$work/emulator.err" >&2; exit 1; }
    sleep 0.2
done
url=$(sed -n 's/.*listening on //p' "$work/emulator.out")
export NGCP_PASSWORD=administrator

# The server and the client each get a core of their own when the machine has two. Otherwise
# the client's CPU time slows the server. curl needs almost no CPU, so the comparison would
# then measure the client's CPU rather than how well its reads overlap with the server.
client=()
server_cpus=all
client_cpus=all
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    # -a moves every thread: the HTTP worker threads exist already and would otherwise keep
    # running on the client's core.
    taskset -acp 0 "$emulator" >/dev/null
    client=(taskset -c 1)
    server_cpus=0
    client_cpus=1
fi

echo "writing manifests from the live state, 1% drifted" >&2
python3 "$root/Benchmarks/export_manifests.py" "$url" administrator administrator \
    "$work/manifests" 100 >"$work/export.json"

# ngcpctl plan, RUNS times; the median run by wall time is kept.
for run in $(seq "$runs"); do
    echo "plan run $run of $runs" >&2
    /usr/bin/time -f '%e %U %S %M' -o "$work/time-$run.txt" \
        "${client[@]}" "$ngcpctl" plan --url "$url" --user administrator --format json --quiet \
        --verbose --read-concurrency "$concurrency" --page-size "$page_size" \
        "$work/manifests" >"$work/plan-$run.json" 2>"$work/plan-$run.log" || {
        echo "ngcpctl plan failed; its log:" >&2
        tail -20 "$work/plan-$run.log" >&2
        exit 1
    }
done
median=$(for run in $(seq "$runs"); do echo "$(cut -d' ' -f1 "$work/time-$run.txt") $run"; done \
    | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { print $2 }')
read -r plan_wall plan_user plan_sys plan_rss_kb <"$work/time-$median.txt"

# The physical limit: the same URLs, fetched by curl over kept-alive connections with the
# same number of requests in flight, with no ordering between them.
grep 'request finished' "$work/plan-$median.log" | sed 's/.* path=\([^ ]*\).*/\1/' \
    | awk -v base="$url" '{ print "url = \"" base $0 "\"\noutput = \"/dev/null\"" }' \
    >"$work/curl-pages.cfg"
fetch_pages() {
    /usr/bin/time -f '%e' -o "$1" "${client[@]}" curl -sS --no-progress-meter --fail \
        -u administrator:administrator --parallel --parallel-max "$concurrency" \
        -K "$work/curl-pages.cfg"
}
for run in $(seq "$runs"); do fetch_pages "$work/curl-pages-$run.time"; done
curl_wall=$(cat "$work"/curl-pages-*.time | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)')

# The alternative: one GET per object. A sample of subscriber reads is timed and scaled.
seq 1 "$sample" | awk -v base="$url" -v n="$subscribers" \
    '{ id = int(($1 - 1) * n / '"$sample"') + 1;
       print "url = \"" base "/api/subscribers/" id "\"\noutput = \"/dev/null\"" }' \
    >"$work/curl-items.cfg"
/usr/bin/time -f '%e' -o "$work/curl-items.time" "${client[@]}" curl -sS --no-progress-meter --fail -u administrator:administrator \
    --parallel --parallel-max "$concurrency" -K "$work/curl-items.cfg"
sample_wall=$(cat "$work/curl-items.time")

# For comparison, one plan and one page fetch with the emulator and the client sharing every
# core, as they do without pinning.
shared_plan=null
shared_curl=null
if [ "$server_cpus" != all ]; then
    taskset -acp "0-$(($(nproc) - 1))" "$emulator" >/dev/null
    client=()
    /usr/bin/time -f '%e' -o "$work/shared-plan.time" "$ngcpctl" plan --url "$url" \
        --user administrator --format json --quiet --read-concurrency "$concurrency" \
        --page-size "$page_size" "$work/manifests" >/dev/null
    fetch_pages "$work/shared-curl.time"
    shared_plan=$(cat "$work/shared-plan.time")
    shared_curl=$(cat "$work/shared-curl.time")
fi

python3 - "$work" "$median" "$plan_wall" "$plan_user" "$plan_sys" "$plan_rss_kb" \
    "$curl_wall" "$sample" "$sample_wall" "$concurrency" "$page_size" "$results" \
    "$server_cpus" "$client_cpus" "$shared_plan" "$shared_curl" <<'PY'
import json, platform, os, re, subprocess, sys
(work, median, wall, user, system, rss, curl_wall, sample, sample_wall, concurrency,
 page_size, results, server_cpus, client_cpus, shared_plan, shared_curl) = sys.argv[1:]
plan = json.load(open(f"{work}/plan-{median}.json"))
export = json.load(open(f"{work}/export.json"))
log = open(f"{work}/plan-{median}.log").read()
planned = re.search(r"planned cpu_s=([0-9.]+) wall_s=([0-9.]+)", log)
# The part of planning that needs only the collections runs while the blocks are read, on
# its own thread, whose CPU time the log records.
drafted = re.search(r"plan drafted cpu_s=([0-9.]+) wall_s=([0-9.]+)", log)
read = re.search(r"live state read cpu_s=([0-9.]+) wall_s=([0-9.]+)", log)
requests = plan["requests"]
# One GET per object: every object the plan's reads cover, plus the preference definitions.
per_item = (1 + 1 + 1 + 2 * export["customers"] + export["subscribers"]
            + export["forwards_declared"] + export["preferences_declared"] + 1)
per_item_wall = float(sample_wall) / int(sample) * per_item
cpu_model = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu_model = line.split(":", 1)[1].strip()
        break
figures = {
    "machine": {"cpu": cpu_model, "cores": os.cpu_count(), "system": platform.platform()},
    "data": export,
    "read_concurrency": int(concurrency), "page_size": int(page_size),
    "cpus": {"emulator": server_cpus, "client": client_cpus},
    "plan": {
        "wall_s": float(wall), "cpu_s": round(float(user) + float(system), 2),
        "peak_rss_mb": round(int(rss) / 1024, 1), "requests": requests["reads"],
        "requests_by_collection": requests["by_collection"],
        "live_read_wall_s": float(read.group(2)) if read else None,
        "planner_cpu_s": round(float(planned.group(1))
                               + (float(drafted.group(1)) if drafted else 0), 3)
                         if planned else None,
        "planner_after_read_cpu_s": float(planned.group(1)) if planned else None,
        "operations": len(plan["operations"]),
    },
    "curl_same_pages": {"wall_s": float(curl_wall), "requests": requests["reads"]},
    "per_item": {
        "requests": per_item, "sample_requests": int(sample),
        "sample_wall_s": float(sample_wall), "estimated_wall_s": round(per_item_wall, 1),
    },
    "ratios": {
        "plan_wall_over_curl": round(float(wall) / float(curl_wall), 2),
        "per_item_requests_over_plan": round(per_item / requests["reads"], 1),
    },
    "shared_cores": None if shared_plan == "null" else {
        "plan_wall_s": float(shared_plan), "curl_wall_s": float(shared_curl),
        "plan_wall_over_curl": round(float(shared_plan) / float(shared_curl), 2),
    },
}
json.dump(figures, open(f"{results}/latest.json", "w"), indent=2, sort_keys=True)
p = figures["plan"]
rows = [
    ("ngcpctl plan wall time", f"{p['wall_s']:.2f} s"),
    ("ngcpctl plan CPU time (user + system)", f"{p['cpu_s']:.2f} s"),
    ("pairing + diff + plan CPU", f"{p['planner_cpu_s']} s"),
    ("of which after the last page", f"{p['planner_after_read_cpu_s']} s"),
    ("peak RSS", f"{p['peak_rss_mb']} MB"),
    ("requests (plan)", str(p["requests"])),
    ("plan operations", str(p["operations"])),
    ("curl, same pages, same parallelism", f"{float(curl_wall):.2f} s"),
    ("plan / curl", str(figures["ratios"]["plan_wall_over_curl"])),
    ("requests, one item per request", str(per_item)),
    ("per-item wall time (scaled from sample)", f"{per_item_wall:.1f} s"),
    ("per-item requests / plan requests", str(figures["ratios"]["per_item_requests_over_plan"])),
    ("CPUs: emulator / client", f"{server_cpus} / {client_cpus}"),
]
shared = figures["shared_cores"]
if shared:
    rows += [
        ("all cores shared: plan wall time", f"{shared['plan_wall_s']:.2f} s"),
        ("all cores shared: curl, same pages", f"{shared['curl_wall_s']:.2f} s"),
        ("all cores shared: plan / curl", str(shared["plan_wall_over_curl"])),
    ]
print("| measure | value |\n|---|---|")
for name, value in rows:
    print(f"| {name} | {value} |")
PY
