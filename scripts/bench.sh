#!/usr/bin/env bash
# The benchmark of BENCHMARKS.md: for 10k, 100k and 1M order lines, a full
# `gendan run` (phase times, wall time, peak memory) against the floor of
# the same work (calamine reading the same files, rust_xlsxwriter writing
# as many cells). Data sets are made once with `gendan demo-data` and kept
# in target/bench-data/. Usage: scripts/bench.sh [SIZES…]   (default: 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10000 100000 1000000); fi
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
cargo build --release --bin gendan --example floor 2>&1 | tail -1
bin=target/release/gendan
floor=target/release/examples/floor
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '| order lines | inputs (rows) | read s | reconcile s | kpis s | write s | run wall s | peak RSS MiB | floor read s | floor write s | floor s | run/floor |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  data=target/bench-data/$n
  if [ ! -f "$data/done" ]; then
    rm -rf "$data"
    "$bin" demo-data "$data" --orders "$n" --seed 11 --lang zh --as-of 2026-11-27 2>/dev/null
    touch "$data/done"
  fi
  out=target/bench-out/$n
  rm -rf "$out"; mkdir -p target/bench-out
  /usr/bin/time -v "$bin" run --orders "$data/orders*.xlsx" --shipments "$data/shipments*.xlsx" \
    --feedback "$data/feedback*.xlsx" --as-of 2026-11-27 --out "$out" > /dev/null 2> "$out.log" || true
  phase() { awk -v p="$1" '$1 == p {print $2}' "$out.log" | tr -d s; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out.log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$out.log")
  rows=$(awk '$1 == "read" {print $3+$6+$8}' "$out.log")
  read -r fr fw _ _ < <("$floor" --inputs "$data"/*.xlsx --outputs "$out"/*.xlsx)
  fl=$(awk -v a="$fr" -v b="$fw" 'BEGIN {print a + b}')
  ratio=$(awk -v w="$wall" -v f="$fl" 'BEGIN {print w / f}')
  printf '| %s | %s | %s | %s | %s | %s | %.2f | %s | %s | %s | %.2f | %.2f |\n' \
    "$n" "$rows" "$(phase read)" "$(phase reconcile)" "$(phase kpis)" "$(phase write)" "$wall" "$rss" "$fr" "$fw" "$fl" "$ratio"
done
