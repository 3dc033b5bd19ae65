#!/usr/bin/env bash
# 4 consecutive weekly runs of the copies history-weeks.py made (1 % more
# due dates moved each week) into one folder; prints the history size after
# each. Usage: scripts/history-weeks.sh BINARY OUT WEEKS_DIR
b=$1; out=$2; weeks=$3
rm -rf "$out"; mkdir -p "$out"
k=1
for a in 2026-11-27 2026-12-04 2026-12-11 2026-12-18; do
  D=$weeks/wk$k
  /usr/bin/time -f "wall %e user %U rss %M" "$b" run --orders "$D/orders*.xlsx" --shipments "$D/shipments*.xlsx" --feedback "$D/feedback*.xlsx" --as-of $a --out "$out" -q >/dev/null 2>"$out/log$k"
  echo "week $k as_of $a: $(tail -1 $out/log$k) history $(stat -c %s $out/gendan-history.sqlite)"
  k=$((k+1))
done
