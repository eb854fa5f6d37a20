#!/usr/bin/env bash
# Wall time of `pipec check` on a generated 10,000-node file (about 1 MB),
# release build, best and median of 20 runs. Usage: bench/check_large.sh [NODES]
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-10000}
cargo build --release --quiet
cargo run --release --quiet --example gen_large -- "$nodes" > target/large.pipe
bytes=$(wc -c < target/large.pipe)
echo "file: target/large.pipe, $nodes nodes, $bytes bytes"
times=()
for _ in $(seq 20); do
  start=$(date +%s%N)
  # The generated file is a syntax benchmark: it has semantic errors on purpose
  # (exit 1); the time includes finding and rendering them.
  ./target/release/pipec check target/large.pipe > /dev/null 2>&1 || [ $? -eq 1 ]
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
best=${sorted[0]}; median=${sorted[10]}
echo "pipec check: best $((best / 1000)).$(( (best % 1000) / 100 )) ms, median $((median / 1000)).$(( (median % 1000) / 100 )) ms"
awk -v b="$bytes" -v t="$median" 'BEGIN { printf "throughput (median, whole process): %.1f MB/s\n", b / t }'
