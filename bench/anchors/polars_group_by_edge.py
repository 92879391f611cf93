#!/usr/bin/env python3
"""Anchor for bench/run's build_csr workload: polars grouping the same in-memory incidence
table by edge, exactly as ../shared/bench/anchors/lazy_ops.py's edge_agg from memory
(group_by edge_id -> size = len, wsum = sum(weight); result materialised).

  python polars_group_by_edge.py --incidences FILE.parquet|FILE.csv --repeats 3 --warmup 1 [--label NAME]

Prints one JSON line: median and min seconds over the repeats, rows, result rows.
"""
import argparse
import json
import statistics
import time

import polars as pl


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidences", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--label", default="build_csr", help="the benchmark's name in the output")
    a = ap.parse_args()
    read = pl.read_parquet if a.incidences.endswith(".parquet") else pl.read_csv
    df = read(a.incidences)
    lazy = df.lazy()

    def op():
        return lazy.group_by("edge_id").agg(pl.len().alias("size"), pl.col("weight").sum().alias("wsum")).collect()

    for _ in range(a.warmup):
        op()
    times, out = [], None
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        out = op()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"bench": a.label, "tool": "polars", "op": "group_by_edge", "source": "memory",
                      "rows": df.height, "result_rows": out.height, "polars": pl.__version__,
                      "median_s": statistics.median(times), "min_s": min(times), "times_s": times}))


if __name__ == "__main__":
    main()
