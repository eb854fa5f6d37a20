#!/usr/bin/env bash
# TPC-H at scale factor 1: pipec against plain DataFusion (the floor), DuckDB,
# Polars and pandas, query by query, with the ratios. See bench/tpch.py.
#
#   bench/tpch.sh                 # SF1, 3 runs per query and engine (median)
#   SF=0.1 RUNS=1 bench/tpch.sh   # a quick look
#   QUERIES=1,3,6 bench/tpch.sh   # some queries
#   PAIR_SECONDS=5 bench/tpch.sh  # more back-to-back rounds of the floor and pipec (default 3 s each)
#
# Installs tpchgen-cli, duckdb, polars, pandas and pyarrow from PyPI into
# target/tpch-venv, generates the tables as Parquet into target/tpch/sf$SF
# (once), builds pipec, the floor runner (examples/tpch_floor) and the
# embedded runner (examples/tpch_embedded) in release.
set -euo pipefail
cd "$(dirname "$0")/.."

SF=${SF:-1}
RUNS=${RUNS:-3}
QUERIES=${QUERIES:-}
DATA=target/tpch/sf$SF
VENV=target/tpch-venv

PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q tpchgen-cli duckdb polars pandas pyarrow >&2

if [ ! -f "$DATA/lineitem.parquet" ]; then
    echo "generating TPC-H SF$SF into $DATA" >&2
    "$VENV/bin/tpchgen-cli" parquet -s "$SF" --output-dir="$DATA" >&2
fi

cargo build --release --locked --bin pipec --example tpch_floor --example tpch_embedded >&2

"$VENV/bin/python" bench/tpch.py --data "$DATA" --runs "$RUNS" ${PAIR_SECONDS:+--pair-seconds "$PAIR_SECONDS"} ${QUERIES:+--queries "$QUERIES"}
