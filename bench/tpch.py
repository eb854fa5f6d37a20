"""TPC-H, query by query: pipec (the `sql` form and, for queries 1, 3, 5, 6
and 10, the operator form), plain DataFusion (examples/tpch_floor, the floor),
DuckDB, Polars (its SQL) and pandas (hand-written, for the queries below).

pipec and the floor are timed as whole processes (start, compile, read the
Parquet metadata, run, print): that is what a user waits for, and the ratio
pipec / floor is pipec's own overhead (the floor writes its rows as JSON too,
as pipec does; reading that JSON is the bench's work, off the clock). DuckDB,
Polars and pandas are timed in this process around the query alone, each
reading the Parquet files anew (no interpreter start or import), which
flatters them; pandas is also timed as pipec is, as a process ("pandas
process": interpreter start, imports, the query), and pipec as they are,
embedded in a running process ("pipec embedded": examples/tpch_embedded
compiles and runs the sql form through pipec::embed, tables handed back as
Arrow batches, after one untimed run). Each figure is
the median of --runs runs, taken round robin (run r of every engine before
run r + 1 of any), so that a slow spell of the machine falls on all. Every engine's row count is compared with the
floor's; a mismatch is printed.

The ratios to the floor are pipec's overhead, a few per cent that this
machine's swings (a query's time moves by 10-20 % from minute to minute)
would hide in a median of a few runs. So the floor and pipec's forms then run
more rounds of their own, back to back, the order reversed every other round
(floor, sql, ops; ops, sql, floor; ...), until each has run about
--pair-seconds seconds (at least --runs rounds, at most 41): their figures
are the medians of all their runs, and each ratio is the median of the
per-round ratios (each run divided by the floor's run of the same round), an
estimate a slow spell shifts for both sides of a ratio alike.

Run through bench/tpch.sh, which installs the peers and generates the data.
"""

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
PIPEC = ROOT / "target/release/pipec"
FLOOR = ROOT / "target/release/examples/tpch_floor"
EMBEDDED = ROOT / "target/release/examples/tpch_embedded"
TABLES = ["customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"]
OPERATOR_FORMS = [1, 3, 5, 6, 10]


def sql_of(n):
    """The SQL text of query n, from its .pipe file (the one source)."""
    text = (ROOT / f"bench/tpch/sql/q{n:02}.pipe").read_text()
    match = re.search(r'sql\("""(.*?)"""\)', text, re.S)
    return textwrap.dedent(match.group(1)).strip() + "\n"


def timed(run, runs):
    """Median time of `run` over `runs` calls. A run that returns (seconds,
    rows) times itself (a process, whose output is read after the clock
    stops); any other return value is the row count, timed around the call."""
    times, rows = [], None
    for _ in range(runs):
        started = time.perf_counter()
        rows = run()
        elapsed = time.perf_counter() - started
        if isinstance(rows, tuple):
            elapsed, rows = rows
        times.append(elapsed)
    return statistics.median(times), rows


def pipec(form, n, data):
    def run():
        started = time.perf_counter()
        out = subprocess.run(
            [PIPEC, "run", "-q", "--no-store", ROOT / f"bench/tpch/{form}/q{n:02}.pipe", "--input", f"data={data}"],
            capture_output=True, check=False, cwd=ROOT,
        )
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode()[-500:])
        # Reading the JSON here is the bench's work, not pipec's: off the clock.
        return elapsed, len(json.loads(out.stdout)["answer"])
    return run


def pipec_embedded(n, data, runs):
    """pipec as a Rust host embeds it (examples/tpch_embedded): the .pipe
    file compiled and run in a process already running, timed as the
    in-process peers are (no process start; the files read anew each run).
    Returns the median seconds and the row count."""
    out = subprocess.run(
        [EMBEDDED, ROOT / f"bench/tpch/sql/q{n:02}.pipe", data, str(runs)],
        capture_output=True, check=False, cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.decode()[-500:])
    runs = [line.split() for line in out.stdout.decode().splitlines()]
    return statistics.median(float(seconds) for seconds, _ in runs), int(runs[-1][1])


def floor(n, data):
    query = Path(tempfile.gettempdir()) / f"tpch_q{n:02}.sql"
    query.write_text(sql_of(n))

    def run():
        started = time.perf_counter()
        out = subprocess.run([FLOOR, data, query], capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode()[-500:])
        return elapsed, int(out.stderr.split()[0])
    return run


def duck(n, data):
    import duckdb
    def run():
        con = duckdb.connect()
        for t in TABLES:
            con.execute(f"create view {t} as select * from read_parquet('{data}/{t}.parquet')")
        rows = con.sql(sql_of(n)).to_arrow_table().num_rows
        con.close()
        return rows
    return run


def polars(n, data):
    import polars as pl
    def run():
        ctx = pl.SQLContext({t: pl.scan_parquet(f"{data}/{t}.parquet") for t in TABLES})
        return ctx.execute(sql_of(n)).collect().height
    return run


# ---------------------------------------------------------------- pandas

def pandas_process(n, data):
    """pandas timed as pipec is: a process (interpreter start, imports, the
    query), its answer read off the clock."""
    def run():
        started = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--data", data, "--pandas-query", str(n)],
                             capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode()[-500:])
        return elapsed, int(out.stdout.split()[-1])
    return run


def load(data, table, columns):
    """A table as pandas, decimals as floats (as a pandas user would)."""
    t = pq.read_table(f"{data}/{table}.parquet", columns=columns)
    fields = [pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f for f in t.schema]
    return t.cast(pa.schema(fields)).to_pandas()


def p1(d):
    li = load(d, "lineitem", ["l_returnflag", "l_linestatus", "l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_shipdate"])
    li = li[li.l_shipdate <= pd.Timestamp("1998-09-02").date()]
    li = li.assign(disc_price=li.l_extendedprice * (1 - li.l_discount))
    li = li.assign(charge=li.disc_price * (1 + li.l_tax))
    g = li.groupby(["l_returnflag", "l_linestatus"]).agg(
        sum_qty=("l_quantity", "sum"), sum_base_price=("l_extendedprice", "sum"),
        sum_disc_price=("disc_price", "sum"), sum_charge=("charge", "sum"),
        avg_qty=("l_quantity", "mean"), avg_price=("l_extendedprice", "mean"),
        avg_disc=("l_discount", "mean"), count_order=("l_quantity", "size"))
    return len(g.reset_index().sort_values(["l_returnflag", "l_linestatus"]))


def p3(d):
    date = pd.Timestamp("1995-03-15").date()
    c = load(d, "customer", ["c_custkey", "c_mktsegment"])
    o = load(d, "orders", ["o_orderkey", "o_custkey", "o_orderdate", "o_shippriority"])
    li = load(d, "lineitem", ["l_orderkey", "l_extendedprice", "l_discount", "l_shipdate"])
    c = c[c.c_mktsegment == "BUILDING"]
    o = o[o.o_orderdate < date]
    li = li[li.l_shipdate > date]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    g = j.groupby(["l_orderkey", "o_orderdate", "o_shippriority"], as_index=False).revenue.sum()
    return len(g.sort_values(["revenue", "o_orderdate"], ascending=[False, True]).head(10))


def p4(d):
    o = load(d, "orders", ["o_orderkey", "o_orderdate", "o_orderpriority"])
    li = load(d, "lineitem", ["l_orderkey", "l_commitdate", "l_receiptdate"])
    o = o[(o.o_orderdate >= pd.Timestamp("1993-07-01").date()) & (o.o_orderdate < pd.Timestamp("1993-10-01").date())]
    late = li[li.l_commitdate < li.l_receiptdate].l_orderkey.unique()
    o = o[o.o_orderkey.isin(late)]
    return len(o.groupby("o_orderpriority").size().reset_index(name="order_count"))


def p5(d):
    c = load(d, "customer", ["c_custkey", "c_nationkey"])
    o = load(d, "orders", ["o_orderkey", "o_custkey", "o_orderdate"])
    li = load(d, "lineitem", ["l_orderkey", "l_suppkey", "l_extendedprice", "l_discount"])
    s = load(d, "supplier", ["s_suppkey", "s_nationkey"])
    n = load(d, "nation", ["n_nationkey", "n_name", "n_regionkey"])
    r = load(d, "region", ["r_regionkey", "r_name"])
    o = o[(o.o_orderdate >= pd.Timestamp("1994-01-01").date()) & (o.o_orderdate < pd.Timestamp("1995-01-01").date())]
    r = r[r.r_name == "ASIA"]
    sn = s.merge(n, left_on="s_nationkey", right_on="n_nationkey").merge(r, left_on="n_regionkey", right_on="r_regionkey")
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.merge(sn, left_on=["l_suppkey", "c_nationkey"], right_on=["s_suppkey", "s_nationkey"])
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    return len(j.groupby("n_name", as_index=False).revenue.sum().sort_values("revenue", ascending=False))


def p6(d):
    li = load(d, "lineitem", ["l_extendedprice", "l_discount", "l_quantity", "l_shipdate"])
    li = li[(li.l_shipdate >= pd.Timestamp("1994-01-01").date()) & (li.l_shipdate < pd.Timestamp("1995-01-01").date())
            & (li.l_discount >= 0.05) & (li.l_discount <= 0.07) & (li.l_quantity < 24)]
    _ = (li.l_extendedprice * li.l_discount).sum()
    return 1


def p10(d):
    c = load(d, "customer", ["c_custkey", "c_name", "c_acctbal", "c_phone", "c_nationkey", "c_address", "c_comment"])
    o = load(d, "orders", ["o_orderkey", "o_custkey", "o_orderdate"])
    li = load(d, "lineitem", ["l_orderkey", "l_extendedprice", "l_discount", "l_returnflag"])
    n = load(d, "nation", ["n_nationkey", "n_name"])
    o = o[(o.o_orderdate >= pd.Timestamp("1993-10-01").date()) & (o.o_orderdate < pd.Timestamp("1994-01-01").date())]
    li = li[li.l_returnflag == "R"]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.merge(n, left_on="c_nationkey", right_on="n_nationkey")
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    g = j.groupby(["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"], as_index=False).revenue.sum()
    return len(g.sort_values("revenue", ascending=False).head(20))


def p12(d):
    o = load(d, "orders", ["o_orderkey", "o_orderpriority"])
    li = load(d, "lineitem", ["l_orderkey", "l_shipmode", "l_commitdate", "l_receiptdate", "l_shipdate"])
    li = li[li.l_shipmode.isin(["MAIL", "SHIP"]) & (li.l_commitdate < li.l_receiptdate) & (li.l_shipdate < li.l_commitdate)
            & (li.l_receiptdate >= pd.Timestamp("1994-01-01").date()) & (li.l_receiptdate < pd.Timestamp("1995-01-01").date())]
    j = o.merge(li, left_on="o_orderkey", right_on="l_orderkey")
    high = j.o_orderpriority.isin(["1-URGENT", "2-HIGH"])
    j = j.assign(high=high.astype(int), low=(~high).astype(int))
    return len(j.groupby("l_shipmode", as_index=False)[["high", "low"]].sum())


def p14(d):
    li = load(d, "lineitem", ["l_partkey", "l_extendedprice", "l_discount", "l_shipdate"])
    p = load(d, "part", ["p_partkey", "p_type"])
    li = li[(li.l_shipdate >= pd.Timestamp("1995-09-01").date()) & (li.l_shipdate < pd.Timestamp("1995-10-01").date())]
    j = li.merge(p, left_on="l_partkey", right_on="p_partkey")
    value = j.l_extendedprice * (1 - j.l_discount)
    _ = 100.0 * value[j.p_type.str.startswith("PROMO")].sum() / value.sum()
    return 1


def p19(d):
    li = load(d, "lineitem", ["l_partkey", "l_quantity", "l_extendedprice", "l_discount", "l_shipmode", "l_shipinstruct"])
    p = load(d, "part", ["p_partkey", "p_brand", "p_container", "p_size"])
    li = li[li.l_shipmode.isin(["AIR", "AIR REG"]) & (li.l_shipinstruct == "DELIVER IN PERSON")]
    j = li.merge(p, left_on="l_partkey", right_on="p_partkey")

    def case(brand, containers, low, size):
        return ((j.p_brand == brand) & j.p_container.isin(containers) & (j.l_quantity >= low)
                & (j.l_quantity <= low + 10) & (j.p_size >= 1) & (j.p_size <= size))
    keep = (case("Brand#12", ["SM CASE", "SM BOX", "SM PACK", "SM PKG"], 1, 5)
            | case("Brand#23", ["MED BAG", "MED BOX", "MED PKG", "MED PACK"], 10, 10)
            | case("Brand#34", ["LG CASE", "LG BOX", "LG PACK", "LG PKG"], 20, 15))
    _ = (j.l_extendedprice * (1 - j.l_discount))[keep].sum()
    return 1


def day(text):
    return pd.Timestamp(text).date()


def p2(d):
    p = load(d, "part", ["p_partkey", "p_mfgr", "p_size", "p_type"])
    s = load(d, "supplier", ["s_suppkey", "s_name", "s_address", "s_nationkey", "s_phone", "s_acctbal", "s_comment"])
    ps = load(d, "partsupp", ["ps_partkey", "ps_suppkey", "ps_supplycost"])
    n = load(d, "nation", ["n_nationkey", "n_name", "n_regionkey"])
    r = load(d, "region", ["r_regionkey", "r_name"])
    r = r[r.r_name == "EUROPE"]
    europe = (ps.merge(s, left_on="ps_suppkey", right_on="s_suppkey")
              .merge(n, left_on="s_nationkey", right_on="n_nationkey")
              .merge(r, left_on="n_regionkey", right_on="r_regionkey"))
    p = p[(p.p_size == 15) & p.p_type.str.endswith("BRASS")]
    j = p.merge(europe, left_on="p_partkey", right_on="ps_partkey")
    cheapest = j.groupby("p_partkey").ps_supplycost.transform("min")
    j = j[j.ps_supplycost == cheapest]
    j = j.sort_values(["s_acctbal", "n_name", "s_name", "p_partkey"], ascending=[False, True, True, True])
    return len(j.head(100))


def p7(d):
    s = load(d, "supplier", ["s_suppkey", "s_nationkey"])
    li = load(d, "lineitem", ["l_orderkey", "l_suppkey", "l_extendedprice", "l_discount", "l_shipdate"])
    o = load(d, "orders", ["o_orderkey", "o_custkey"])
    c = load(d, "customer", ["c_custkey", "c_nationkey"])
    n = load(d, "nation", ["n_nationkey", "n_name"])
    n = n[n.n_name.isin(["FRANCE", "GERMANY"])]
    li = li[(li.l_shipdate >= day("1995-01-01")) & (li.l_shipdate <= day("1996-12-31"))]
    sup = s.merge(n, left_on="s_nationkey", right_on="n_nationkey")[["s_suppkey", "n_name"]].rename(columns={"n_name": "supp_nation"})
    cus = c.merge(n, left_on="c_nationkey", right_on="n_nationkey")[["c_custkey", "n_name"]].rename(columns={"n_name": "cust_nation"})
    j = (li.merge(sup, left_on="l_suppkey", right_on="s_suppkey")
         .merge(o, left_on="l_orderkey", right_on="o_orderkey")
         .merge(cus, left_on="o_custkey", right_on="c_custkey"))
    j = j[j.supp_nation != j.cust_nation]
    j = j.assign(l_year=pd.to_datetime(j.l_shipdate).dt.year, volume=j.l_extendedprice * (1 - j.l_discount))
    g = j.groupby(["supp_nation", "cust_nation", "l_year"], as_index=False).volume.sum()
    return len(g.sort_values(["supp_nation", "cust_nation", "l_year"]))


def p8(d):
    p = load(d, "part", ["p_partkey", "p_type"])
    s = load(d, "supplier", ["s_suppkey", "s_nationkey"])
    li = load(d, "lineitem", ["l_orderkey", "l_partkey", "l_suppkey", "l_extendedprice", "l_discount"])
    o = load(d, "orders", ["o_orderkey", "o_custkey", "o_orderdate"])
    c = load(d, "customer", ["c_custkey", "c_nationkey"])
    n = load(d, "nation", ["n_nationkey", "n_name", "n_regionkey"])
    r = load(d, "region", ["r_regionkey", "r_name"])
    p = p[p.p_type == "ECONOMY ANODIZED STEEL"]
    o = o[(o.o_orderdate >= day("1995-01-01")) & (o.o_orderdate <= day("1996-12-31"))]
    america = n.merge(r[r.r_name == "AMERICA"], left_on="n_regionkey", right_on="r_regionkey")[["n_nationkey"]]
    c = c.merge(america, left_on="c_nationkey", right_on="n_nationkey")[["c_custkey"]]
    sup = s.merge(n, left_on="s_nationkey", right_on="n_nationkey")[["s_suppkey", "n_name"]]
    j = (li.merge(p, left_on="l_partkey", right_on="p_partkey")
         .merge(o, left_on="l_orderkey", right_on="o_orderkey")
         .merge(c, left_on="o_custkey", right_on="c_custkey")
         .merge(sup, left_on="l_suppkey", right_on="s_suppkey"))
    volume = j.l_extendedprice * (1 - j.l_discount)
    j = j.assign(o_year=pd.to_datetime(j.o_orderdate).dt.year, volume=volume, brazil=volume.where(j.n_name == "BRAZIL", 0.0))
    g = j.groupby("o_year", as_index=False)[["brazil", "volume"]].sum()
    g = g.assign(mkt_share=g.brazil / g.volume)
    return len(g.sort_values("o_year"))


def p9(d):
    p = load(d, "part", ["p_partkey", "p_name"])
    s = load(d, "supplier", ["s_suppkey", "s_nationkey"])
    li = load(d, "lineitem", ["l_orderkey", "l_partkey", "l_suppkey", "l_quantity", "l_extendedprice", "l_discount"])
    ps = load(d, "partsupp", ["ps_partkey", "ps_suppkey", "ps_supplycost"])
    o = load(d, "orders", ["o_orderkey", "o_orderdate"])
    n = load(d, "nation", ["n_nationkey", "n_name"])
    p = p[p.p_name.str.contains("green", regex=False)]
    j = (li.merge(p, left_on="l_partkey", right_on="p_partkey")
         .merge(ps, left_on=["l_suppkey", "l_partkey"], right_on=["ps_suppkey", "ps_partkey"])
         .merge(s, left_on="l_suppkey", right_on="s_suppkey")
         .merge(o, left_on="l_orderkey", right_on="o_orderkey")
         .merge(n, left_on="s_nationkey", right_on="n_nationkey"))
    j = j.assign(o_year=pd.to_datetime(j.o_orderdate).dt.year,
                 amount=j.l_extendedprice * (1 - j.l_discount) - j.ps_supplycost * j.l_quantity)
    g = j.groupby(["n_name", "o_year"], as_index=False).amount.sum()
    return len(g.sort_values(["n_name", "o_year"], ascending=[True, False]))


def p11(d):
    ps = load(d, "partsupp", ["ps_partkey", "ps_suppkey", "ps_availqty", "ps_supplycost"])
    s = load(d, "supplier", ["s_suppkey", "s_nationkey"])
    n = load(d, "nation", ["n_nationkey", "n_name"])
    n = n[n.n_name == "GERMANY"]
    j = ps.merge(s, left_on="ps_suppkey", right_on="s_suppkey").merge(n, left_on="s_nationkey", right_on="n_nationkey")
    j = j.assign(value=j.ps_supplycost * j.ps_availqty)
    threshold = j.value.sum() * 0.0001
    g = j.groupby("ps_partkey", as_index=False).value.sum()
    return len(g[g.value > threshold].sort_values("value", ascending=False))


def p13(d):
    c = load(d, "customer", ["c_custkey"])
    o = load(d, "orders", ["o_orderkey", "o_custkey", "o_comment"])
    o = o[~o.o_comment.str.contains("special.*requests", regex=True)]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey", how="left")
    counts = j.groupby("c_custkey").o_orderkey.count().reset_index(name="c_count")
    g = counts.groupby("c_count").size().reset_index(name="custdist")
    return len(g.sort_values(["custdist", "c_count"], ascending=[False, False]))


def p15(d):
    li = load(d, "lineitem", ["l_suppkey", "l_extendedprice", "l_discount", "l_shipdate"])
    s = load(d, "supplier", ["s_suppkey", "s_name", "s_address", "s_phone"])
    li = li[(li.l_shipdate >= day("1996-01-01")) & (li.l_shipdate < day("1996-04-01"))]
    li = li.assign(revenue=li.l_extendedprice * (1 - li.l_discount))
    revenue = li.groupby("l_suppkey", as_index=False).revenue.sum()
    best = revenue[revenue.revenue == revenue.revenue.max()]
    j = s.merge(best, left_on="s_suppkey", right_on="l_suppkey")
    return len(j.sort_values("s_suppkey"))


def p16(d):
    p = load(d, "part", ["p_partkey", "p_brand", "p_type", "p_size"])
    ps = load(d, "partsupp", ["ps_partkey", "ps_suppkey"])
    s = load(d, "supplier", ["s_suppkey", "s_comment"])
    complainers = s[s.s_comment.str.contains("Customer.*Complaints", regex=True)].s_suppkey
    p = p[(p.p_brand != "Brand#45") & ~p.p_type.str.startswith("MEDIUM POLISHED")
          & p.p_size.isin([49, 14, 23, 45, 19, 3, 36, 9])]
    j = ps[~ps.ps_suppkey.isin(complainers)].merge(p, left_on="ps_partkey", right_on="p_partkey")
    g = j.groupby(["p_brand", "p_type", "p_size"], as_index=False).ps_suppkey.nunique()
    g = g.rename(columns={"ps_suppkey": "supplier_cnt"})
    return len(g.sort_values(["supplier_cnt", "p_brand", "p_type", "p_size"], ascending=[False, True, True, True]))


def p17(d):
    li = load(d, "lineitem", ["l_partkey", "l_quantity", "l_extendedprice"])
    p = load(d, "part", ["p_partkey", "p_brand", "p_container"])
    p = p[(p.p_brand == "Brand#23") & (p.p_container == "MED BOX")]
    j = li.merge(p, left_on="l_partkey", right_on="p_partkey")
    limit = j.groupby("l_partkey").l_quantity.transform("mean") * 0.2
    _ = j[j.l_quantity < limit].l_extendedprice.sum() / 7.0
    return 1


def p18(d):
    c = load(d, "customer", ["c_custkey", "c_name"])
    o = load(d, "orders", ["o_orderkey", "o_custkey", "o_orderdate", "o_totalprice"])
    li = load(d, "lineitem", ["l_orderkey", "l_quantity"])
    per_order = li.groupby("l_orderkey", as_index=False).l_quantity.sum()
    big = per_order[per_order.l_quantity > 300]
    j = (o.merge(big, left_on="o_orderkey", right_on="l_orderkey")
         .merge(c, left_on="o_custkey", right_on="c_custkey"))
    j = j.rename(columns={"l_quantity": "sum_qty"})
    return len(j.sort_values(["o_totalprice", "o_orderdate"], ascending=[False, True]).head(100))


def p20(d):
    li = load(d, "lineitem", ["l_partkey", "l_suppkey", "l_quantity", "l_shipdate"])
    n = load(d, "nation", ["n_nationkey", "n_name"])
    p = load(d, "part", ["p_partkey", "p_name"])
    ps = load(d, "partsupp", ["ps_partkey", "ps_suppkey", "ps_availqty"])
    s = load(d, "supplier", ["s_suppkey", "s_name", "s_address", "s_nationkey"])
    li = li[(li.l_shipdate >= day("1994-01-01")) & (li.l_shipdate < day("1995-01-01"))]
    shipped = li.groupby(["l_partkey", "l_suppkey"], as_index=False).l_quantity.sum()
    forest = p[p.p_name.str.startswith("forest")].p_partkey
    ps = ps[ps.ps_partkey.isin(forest)]
    j = ps.merge(shipped, left_on=["ps_partkey", "ps_suppkey"], right_on=["l_partkey", "l_suppkey"])
    keys = j[j.ps_availqty > 0.5 * j.l_quantity].ps_suppkey.unique()
    canada = n[n.n_name == "CANADA"]
    s = s[s.s_suppkey.isin(keys)].merge(canada, left_on="s_nationkey", right_on="n_nationkey")
    return len(s.sort_values("s_name"))


def p21(d):
    s = load(d, "supplier", ["s_suppkey", "s_name", "s_nationkey"])
    li = load(d, "lineitem", ["l_orderkey", "l_suppkey", "l_receiptdate", "l_commitdate"])
    o = load(d, "orders", ["o_orderkey", "o_orderstatus"])
    n = load(d, "nation", ["n_nationkey", "n_name"])
    suppliers_per_order = li.groupby("l_orderkey").l_suppkey.nunique()
    late = li[li.l_receiptdate > li.l_commitdate]
    late_suppliers = late.groupby("l_orderkey").l_suppkey.nunique()
    late = late[late.l_orderkey.map(suppliers_per_order) > 1]
    late = late[late.l_orderkey.map(late_suppliers) == 1]
    saudi = s.merge(n[n.n_name == "SAUDI ARABIA"], left_on="s_nationkey", right_on="n_nationkey")
    j = (late.merge(saudi, left_on="l_suppkey", right_on="s_suppkey")
         .merge(o[o.o_orderstatus == "F"], left_on="l_orderkey", right_on="o_orderkey"))
    g = j.groupby("s_name").size().reset_index(name="numwait")
    return len(g.sort_values(["numwait", "s_name"], ascending=[False, True]).head(100))


def p22(d):
    c = load(d, "customer", ["c_custkey", "c_phone", "c_acctbal"])
    o = load(d, "orders", ["o_custkey"])
    codes = ["13", "31", "23", "29", "30", "18", "17"]
    c = c.assign(cntrycode=c.c_phone.str.slice(0, 2))
    c = c[c.cntrycode.isin(codes)]
    average = c[c.c_acctbal > 0.0].c_acctbal.mean()
    c = c[(c.c_acctbal > average) & ~c.c_custkey.isin(o.o_custkey)]
    g = c.groupby("cntrycode", as_index=False).agg(numcust=("c_acctbal", "size"), totacctbal=("c_acctbal", "sum"))
    return len(g.sort_values("cntrycode"))


PANDAS = {1: p1, 2: p2, 3: p3, 4: p4, 5: p5, 6: p6, 7: p7, 8: p8, 9: p9, 10: p10, 11: p11, 12: p12, 13: p13,
          14: p14, 15: p15, 16: p16, 17: p17, 18: p18, 19: p19, 20: p20, 21: p21, 22: p22}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pair-seconds", type=float, default=3.0)
    parser.add_argument("--queries", default=",".join(str(n) for n in range(1, 23)))
    parser.add_argument("--pandas-query", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = str(Path(args.data).resolve())
    if args.pandas_query:
        # One pandas query in this process: the "pandas process" runner.
        print(PANDAS[args.pandas_query](data))
        return
    queries = [int(q) for q in args.queries.split(",")]
    engines = ["floor", "pipec_sql", "pipec_ops", "pipec_embedded", "duckdb", "polars", "pandas", "pandas_process"]
    results = {}
    for n in queries:
        runners = {
            "floor": floor(n, data),
            "pipec_sql": pipec("sql", n, data),
            "duckdb": duck(n, data),
            "polars": polars(n, data),
        }
        if n in OPERATOR_FORMS:
            runners["pipec_ops"] = pipec("ops", n, data)
        if n in PANDAS:
            runners["pandas"] = (lambda f: lambda: f(data))(PANDAS[n])
            runners["pandas_process"] = pandas_process(n, data)
        row = {}
        try:
            seconds, rows = pipec_embedded(n, data, args.runs)  # times its own runs
            row["pipec_embedded"] = {"seconds": seconds, "rows": rows}
        except Exception as error:
            row["pipec_embedded"] = {"error": str(error).strip().splitlines()[-1][:120]}
        # Round robin: run r of every engine before run r + 1 of any, so that
        # a slow spell of the machine falls on all of them, not on one.
        times = {engine: [] for engine in runners}
        for _ in range(args.runs):
            for engine, run in runners.items():
                if engine in row:
                    continue  # it failed
                try:
                    seconds, rows = timed(run, 1)
                    times[engine].append((seconds, rows))
                except Exception as error:  # a peer that cannot run the query
                    row[engine] = {"error": str(error).strip().splitlines()[-1][:120]}
        # More rounds of the floor and pipec's forms, back to back, the order
        # reversed every other round: their ratios are medians of per-round ratios.
        paired = [e for e in ("floor", "pipec_sql", "pipec_ops") if e in runners and e not in row and times[e]]
        rounds = {e: list(times[e]) for e in paired}
        if "floor" in paired:
            floor_seconds = statistics.median(s for s, _ in times["floor"])
            wanted = min(41, max(args.runs, math.ceil(args.pair_seconds / max(floor_seconds, 1e-3))))
            for r in range(wanted - args.runs):
                for engine in paired if r % 2 else paired[::-1]:
                    rounds[engine].append(timed(runners[engine], 1))
        for engine, runs in times.items():
            if engine not in row and runs:
                runs = rounds.get(engine, runs)
                row[engine] = {"seconds": statistics.median(s for s, _ in runs), "rows": runs[-1][1]}
                if engine in rounds and engine != "floor":
                    ratios = [s / f for (s, _), (f, _) in zip(runs, rounds["floor"])]
                    row[engine]["ratio_to_floor"] = statistics.median(ratios)
                    row[engine]["rounds"] = len(ratios)
        expected = row.get("floor", {}).get("rows")
        for engine, figure in row.items():
            if "rows" in figure and expected is not None and figure["rows"] != expected:
                print(f"q{n}: {engine} returned {figure['rows']} rows, the floor {expected}", file=sys.stderr)
        results[n] = row
        cells = []
        for engine in engines:
            f = row.get(engine)
            cells.append("-" if f is None else ("error" if "error" in f else f"{f['seconds']:.3f}"))
        print(f"q{n:<3}" + "".join(f"{c:>11}" for c in cells), file=sys.stderr)

    print("\n| query | floor (s) | pipec sql (s) | sql / floor | pipec ops (s) | ops / floor | pipec embedded (s) | DuckDB (s) | Polars (s) | pandas (s) | pandas / pipec embedded | pandas process (s) | pandas process / pipec |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    totals = {e: 0.0 for e in engines}
    complete = {e: True for e in engines}

    def cell(row, engine):
        f = row.get(engine)
        if f is None:
            complete[engine] = False
            return "—"
        if "error" in f:
            complete[engine] = False
            return "fails"
        totals[engine] += f["seconds"]
        return f"{f['seconds']:.3f}"

    def ratio(row, a, b):
        fa, fb = row.get(a, {}), row.get(b, {})
        if b == "floor" and "ratio_to_floor" in fa:
            return f"{fa['ratio_to_floor']:.2f}"
        if "seconds" in fa and "seconds" in fb:
            return f"{fa['seconds'] / fb['seconds']:.2f}"
        return "—"

    for n, row in results.items():
        print(f"| q{n} | {cell(row, 'floor')} | {cell(row, 'pipec_sql')} | {ratio(row, 'pipec_sql', 'floor')} "
              f"| {cell(row, 'pipec_ops')} | {ratio(row, 'pipec_ops', 'floor')} | {cell(row, 'pipec_embedded')} "
              f"| {cell(row, 'duckdb')} | {cell(row, 'polars')} | {cell(row, 'pandas')} "
              f"| {ratio(row, 'pandas', 'pipec_embedded')} "
              f"| {cell(row, 'pandas_process')} | {ratio(row, 'pandas_process', 'pipec_sql')} |")
    print()
    for engine in engines:
        note = "" if complete[engine] else " (not every query)"
        print(f"total {engine}: {totals[engine]:.2f} s{note}")
    if totals["floor"]:
        print(f"pipec sql / floor over all queries: {totals['pipec_sql'] / totals['floor']:.3f}")
        for engine, limit in (("pipec_sql", 1.05), ("pipec_ops", 1.10)):
            over = [f"q{n} {row[engine]['ratio_to_floor']:.2f}" for n, row in results.items()
                    if "ratio_to_floor" in row.get(engine, {}) and row[engine]["ratio_to_floor"] > limit]
            print(f"{engine} / floor over {limit}: {', '.join(over) if over else 'none'}")
        rounds = [row["pipec_sql"]["rounds"] for row in results.values() if "rounds" in row.get("pipec_sql", {})]
        if rounds:
            print(f"rounds per query of the floor and pipec: {min(rounds)} to {max(rounds)}")
    if totals["duckdb"]:
        print(f"pipec sql / DuckDB over all queries: {totals['pipec_sql'] / totals['duckdb']:.2f}")
    out = ROOT / "target/tpch/results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\n(figures in {out})")


if __name__ == "__main__":
    main()
