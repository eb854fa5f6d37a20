#!/usr/bin/env bash
# Executor overhead side by side: pipec (benches/executor.rs, criterion) and
# the Python peers justpipe and dagabaaz (bench/peers.py) on the same shapes,
# no-op tasks: a fan-out of one node's items into one task each, and a chain
# of nodes each reading the previous one. Prints µs per task and the ratios.
#
#   bench/executor_peers.sh            # full sizes (about two minutes of peers)
#   SKIP_PIPEC=1 bench/executor_peers.sh   # reuse the last criterion figures
#
# Needs Python 3.12 (dagabaaz requires it): `python3.12` on PATH or a pyenv
# 3.12; the peers are installed from PyPI into target/peers-venv.
#
# Sizes: pipec and justpipe run 100,000 fan-out tasks and 10,000 chained
# nodes. dagabaaz refuses more than 200 tasks in one node launch
# (MAX_TASK_PLANS_PER_LAUNCH), so its fan-out is 200 tasks; its chain costs
# grow with the length (every completion rebuilds the run topology), so it
# runs 1,000 nodes, which flatters it against the 10,000 of the others.
set -euo pipefail
cd "$(dirname "$0")/.."

JUSTPIPE_VERSION=${JUSTPIPE_VERSION:-0.12.0}
DAGABAAZ_VERSION=${DAGABAAZ_VERSION:-0.6.0}
FAN=${FAN:-100000}
CHAIN=${CHAIN:-10000}
DAGABAAZ_FAN=${DAGABAAZ_FAN:-200}
DAGABAAZ_CHAIN=${DAGABAAZ_CHAIN:-1000}

if [ -z "${SKIP_PIPEC:-}" ]; then
    cargo bench --locked --bench executor -- --noplot >&2
fi
estimate() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mean"]["point_estimate"] / 1e9)' \
        "target/criterion/executor/$1/new/estimates.json"
}
PIPEC_FAN=$(estimate fan_out_100k_noop_tasks)
PIPEC_CHAIN=$(estimate chain_10k_nodes)

PYTHON=""
# A pyenv shim named python3.12 may exist without that version selected: try it.
for candidate in "$(command -v python3.12 || true)" \
    $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python 2>/dev/null || true); do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        PYTHON=$candidate
        break
    fi
done
if [ -z "$PYTHON" ]; then
    echo "error: Python 3.12 not found (dagabaaz needs it); install it or put python3.12 on PATH" >&2
    exit 2
fi
VENV=target/peers-venv
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "justpipe==$JUSTPIPE_VERSION" "dagabaaz==$DAGABAAZ_VERSION" >&2

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
echo "pipec fan_out 100000 $PIPEC_FAN" >>"$RESULTS"
echo "pipec chain 10000 $PIPEC_CHAIN" >>"$RESULTS"
for run in "justpipe fan_out $FAN" "justpipe chain $CHAIN" \
    "dagabaaz fan_out $DAGABAAZ_FAN" "dagabaaz chain $DAGABAAZ_CHAIN"; do
    # shellcheck disable=SC2086
    "$VENV/bin/python" bench/peers.py $run >>"$RESULTS"
done

python3 - "$RESULTS" <<'EOF'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
per_task = {(p, s): float(sec) * 1e6 / int(n) for p, s, n, sec in rows}
print(f"{'peer':<10}{'shape':<9}{'tasks':>8}{'seconds':>10}{'us/task':>10}{'peer/pipec':>12}")
for p, s, n, sec in rows:
    us = per_task[(p, s)]
    ratio = us / per_task[("pipec", s)]
    print(f"{p:<10}{s:<9}{int(n):>8}{float(sec):>10.3f}{us:>10.2f}{ratio:>11.0f}x")
EOF
