#!/bin/bash
# Two pipec binaries on one pipeline, runs interleaved (A, B, A, B, ...) so
# that the machine's drift hits both alike; prints the median wall times in
# ms, B / A, and each one's fastest run.
#
# usage: bench/ab_binaries.sh A_BINARY B_BINARY RUNS FILE.pipe
# e.g.   git worktree add /tmp/old HEAD~1 && (cd /tmp/old && cargo build --release --bin pipec)
#        bench/ab_binaries.sh /tmp/old/target/release/pipec target/release/pipec 20 bench/tpch/sql/q22.pipe
set -euo pipefail
if [ $# -ne 4 ]; then
  sed -n 2,9p "$0" >&2
  exit 2
fi
a=$1 b=$2 runs=$3 file=$4
for _ in $(seq "$runs"); do
  for side in a b; do
    binary=$a
    [ "$side" = b ] && binary=$b
    start=$(date +%s%N)
    "$binary" run -q --no-store "$file" > /dev/null
    end=$(date +%s%N)
    echo "$side $(( (end - start) / 1000 ))"
  done
done | python3 -c '
import statistics, sys
times = {"a": [], "b": []}
for line in sys.stdin:
    side, micros = line.split()
    times[side].append(int(micros) / 1000)
a, b = statistics.median(times["a"]), statistics.median(times["b"])
fastest_a, fastest_b = min(times["a"]), min(times["b"])
print(f"{sys.argv[1]}: A {a:.2f} ms, B {b:.2f} ms, B / A {b / a:.3f} (fastest {fastest_a:.2f} / {fastest_b:.2f})")
' "$file"
