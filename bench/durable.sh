#!/usr/bin/env bash
# The cost of durability: the same runs with the SQLite store (task keys,
# values and records committed as each task finishes) and with `--no-store`
# (nothing recorded, no keys), best of 3, whole process, release build; the
# difference per task is what durability costs. Then the resume of the
# finished fan-out (nothing to do: every task reused).
# Usage: bench/durable.sh [TASKS] [CHAIN] (default 100000 and 10000).
#   fan-out  one `echo` task per item of a list of TASKS numbers
#   chain    CHAIN nodes, each `echo` of the one before
set -euo pipefail
cd "$(dirname "$0")/.."
tasks=${1:-100000}
chain=${2:-10000}
cargo build --release --quiet
pipec=$PWD/target/release/pipec
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 -c "
import json, sys
json.dump({'xs': list(range(int(sys.argv[1])))}, open(sys.argv[2], 'w'))" "$tasks" "$dir/inputs.json"
cat > "$dir/fanout.pipe" <<'PIPE'
pipeline p {
  input xs: list<int>
  node xs = items(input.xs)
  node work = echo(xs) { each xs }
  output n = work | length
}
PIPE
python3 -c "
import sys
n = int(sys.argv[1])
print('pipeline p {')
print('  node a0 = echo(1)')
for i in range(1, n): print(f'  node a{i} = echo(a{i-1}.value)')
print(f'  output last = a{n-1}.value')
print('}')" "$chain" > "$dir/chain.pipe"

best_ms() { # ARGS... (run in $dir)
  local best=
  for _ in 1 2 3; do
    rm -rf "$dir/.pipec"
    local start end ms
    start=$(date +%s%N)
    (cd "$dir" && "$pipec" "$@" > /dev/null 2>&1) || { echo "failed: pipec $*" >&2; exit 1; }
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

row() { # NAME COUNT ARGS...
  local name=$1 count=$2; shift 2
  local none sqlite
  none=$(best_ms run -q "$@" --no-store)
  sqlite=$(best_ms run -q "$@")
  local per=$(( (sqlite - none) * 1000 / count ))
  printf '%-9s %8d tasks  no store %6d ms  sqlite %6d ms  durability %4d us/task\n' \
    "$name" "$count" "$none" "$sqlite" "$per"
}

row fan-out "$tasks" fanout.pipe --inputs inputs.json
row chain "$chain" chain.pipe

# Resume of the finished fan-out: every task is reused, nothing runs.
rm -rf "$dir/.pipec"
(cd "$dir" && "$pipec" run -q fanout.pipe --inputs inputs.json > /dev/null 2>&1)
id=$(cd "$dir" && "$pipec" runs --format json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
start=$(date +%s%N)
(cd "$dir" && "$pipec" resume -q "$id" > /dev/null 2>&1)
end=$(date +%s%N)
printf 'resume of the finished fan-out (%d tasks, nothing to do): %d ms\n' "$tasks" $(( (end - start) / 1000000 ))
