#!/usr/bin/env python3
"""Anchor for bench/run's parquet workload: pyarrow and polars on the 10M-incidence table,
as ../shared/bench/anchors/parquet_io.py measures them (defaults: pyarrow row groups of
1 Mi rows, 1 MiB pages, dictionary on; polars defaults).

  python parquet_io_anchor.py --data DIR/n10000000 --workdir DIR --codecs none snappy zstd

Per codec: pyarrow writes DIR/pyarrow_<codec>.parquet and polars DIR/polars_<codec>.parquet
(time, size); pyarrow and polars
read it (all columns), read one column (edge_id), and filter weight > 0.9 and
edge_id < E/100. One JSON line per measurement (median of --repeats after one warm-up).
"""
import argparse
import json
import os
import statistics
import time

import polars as pl
import pyarrow.compute as pc
import pyarrow.parquet as pq


def measure(fn, repeats):
    fn()
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "times_s": times}, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--codecs", nargs="+", default=["none", "snappy", "gzip", "lz4", "zstd"])
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    table = pq.read_table(os.path.join(a.data, "incidences.parquet"))
    edges = pc.max(table.column("edge_id")).as_py() + 1
    os.makedirs(a.workdir, exist_ok=True)
    for codec in a.codecs:
        path = os.path.join(a.workdir, f"pyarrow_{codec}.parquet")
        stats, _ = measure(lambda: pq.write_table(table, path, compression=codec), 1 if codec == "gzip" else a.repeats)
        size = os.path.getsize(path) / 2**20
        print(json.dumps({"bench": f"parquet_write_{codec}", "tool": "pyarrow", "op": "write", "codec": codec, "file_mb": size, **stats}), flush=True)
        frame = pl.from_arrow(table)
        polars_path = os.path.join(a.workdir, f"polars_{codec}.parquet")
        polars_codec = "uncompressed" if codec == "none" else codec
        stats, _ = measure(lambda: frame.write_parquet(polars_path, compression=polars_codec), 1 if codec == "gzip" else a.repeats)
        size = os.path.getsize(polars_path) / 2**20
        print(json.dumps({"bench": f"parquet_write_{codec}", "tool": "polars", "op": "write", "codec": codec, "file_mb": size, **stats}), flush=True)
        del frame
        runs = {
            ("pyarrow", "read"): lambda: pq.read_table(path),
            ("polars", "read"): lambda: pl.read_parquet(path),
            ("pyarrow", "read_1col"): lambda: pq.read_table(path, columns=["edge_id"]),
            ("polars", "read_1col"): lambda: pl.read_parquet(path, columns=["edge_id"]),
            ("pyarrow", "filter_weight"): lambda: pq.read_table(path, filters=[("weight", ">", 0.9)]),
            ("polars", "filter_weight"): lambda: pl.scan_parquet(path).filter(pl.col("weight") > 0.9).collect(),
            ("pyarrow", "filter_edge"): lambda: pq.read_table(path, filters=[("edge_id", "<", edges // 100)]),
            ("polars", "filter_edge"): lambda: pl.scan_parquet(path).filter(pl.col("edge_id") < edges // 100).collect(),
        }
        for (tool, op), fn in runs.items():
            stats, out = measure(fn, a.repeats)
            print(json.dumps({"bench": f"parquet_{op}_{codec}", "tool": tool, "op": op, "codec": codec,
                              "result_rows": out.num_rows if hasattr(out, "num_rows") else out.height, **stats}), flush=True)


if __name__ == "__main__":
    main()
