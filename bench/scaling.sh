#!/usr/bin/env bash
# How the paths that were once quadratic grow: each case is timed at N and
# 2N (best of 3, whole process, release build) and the ratio printed — about
# 2 is linear, about 4 quadratic. Usage: bench/scaling.sh [N] (default 8000).
#   recovery, clause   N broken members `node aI = echo(1) { retries 3 }`
#   recovery, no `=`   N broken members `node aI echo(1)`
#   fmt --check        one line holding a list of 5N elements, broken by fmt
#   graph --format text  a chain of 5N nodes
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-8000}
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

members() { # COUNT TEMPLATE (python format with {i})
  python3 -c "
import sys
n, t = int(sys.argv[1]), sys.argv[2]
print('pipeline p {')
for i in range(n): print('  ' + t.format(i=i))
print('}')" "$1" "$2"
}
long_list() { python3 -c "import sys; print('const X = [' + ', '.join(['1'] * int(sys.argv[1])) + '   ]')" "$1"; }
chain() {
  python3 -c "
import sys
n = int(sys.argv[1])
print('pipeline p {')
print('  node a0 = echo(1)')
for i in range(1, n): print(f'  node a{i} = echo(a{i-1}.value)')
print('}')" "$1"
}

best_ms() { # FILE ARGS...
  local file=$1; shift
  local best=
  for _ in 1 2 3; do
    local start end ms
    start=$(date +%s%N)
    ./target/release/pipec "$@" "$file" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

row() { # NAME MAKER ARG_N ARG_2N ARGS...
  local name=$1 maker=$2 small=$3 large=$4; shift 4
  $maker $small > "$dir/small.pipe"
  $maker $large > "$dir/large.pipe"
  local a b
  a=$(best_ms "$dir/small.pipe" "$@")
  b=$(best_ms "$dir/large.pipe" "$@")
  awk -v name="$name" -v s="$small" -v l="$large" -v a="$a" -v b="$b" \
    'BEGIN { printf "%-24s %7d: %6d ms   %7d: %6d ms   ratio %.2f\n", name, s, a, l, b, (a > 0 ? b / a : 0) }'
}

clause_members() { members "$1" 'node a{i} = echo(1) {{ retries 3 }}'; }
no_eq_members() { members "$1" 'node a{i} echo(1)'; }
row "recovery, clause" clause_members "$n" $((2 * n)) check
row "recovery, no \`=\`" no_eq_members "$n" $((2 * n)) check
row "fmt --check long line" long_list $((5 * n)) $((10 * n)) fmt --check
row "graph --format text" chain $((5 * n)) $((10 * n)) graph --format text
