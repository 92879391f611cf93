#!/usr/bin/env python3
"""The anchors of `bench/run meta`: the 1%-selective query (grp = 7) of the entity store's
records, exported to Parquet by anant-bench, with polars (scan_parquet + filter) and DuckDB
(read_parquet + WHERE), medians of --repeats after a warm-up.

  python meta_anchor.py --parquet FILE --repeats 5
"""
import argparse
import json
import time

import duckdb
import polars as pl


def measure(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"median_s": times[len(times) // 2], "min_s": times[0], "times_s": times}, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parquet", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    st, out = measure(lambda: pl.scan_parquet(a.parquet).filter(pl.col("grp") == 7).collect(), a.repeats)
    print(json.dumps({"bench": "meta indexed query 1%", "tool": "polars", "op": "scan_parquet filter", "result_rows": out.height,
                      "version": pl.__version__, **st}))
    con = duckdb.connect()
    st, out = measure(lambda: con.execute(f"SELECT * FROM read_parquet('{a.parquet}') WHERE grp = 7").to_arrow_table(), a.repeats)
    print(json.dumps({"bench": "meta indexed query 1%", "tool": "duckdb", "op": "read_parquet WHERE", "result_rows": out.num_rows,
                      "version": duckdb.__version__, **st}))


if __name__ == "__main__":
    main()
