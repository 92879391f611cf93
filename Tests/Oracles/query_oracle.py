#!/usr/bin/env python3
"""Query oracle: polars and DuckDB answer the same queries as Anant's query engine.

  query_oracle.py make DIR    writes seeded tables with pyarrow, in several row groups and
                              with nulls (and NaN) in every column kind:
                                inc.parquet    row, edge_id, node_id?, weight?, tag?, flag?
                                nodes.parquet  node_id, name?, score?
                                tags.parquet   tag?, bonus   (tags repeat: a many-to-many join)
  query_oracle.py run DIR     reads a JSON list of cases from stdin, each
                                {"id": ..., "sql": "...", "polars": "..."}
                              where sql runs in DuckDB over views inc, nodes, tags, and polars
                              is a Python expression over LazyFrames inc, nodes, tags (pl is
                              polars); prints {"id": {"duckdb": {"columns", "rows"},
                              "polars": {...}}} with rows as JSON lists (NaN as "NaN").
"""
import json
import math
import os
import random
import sys


def make(folder):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(20261126)
    os.makedirs(folder, exist_ok=True)
    n = 6000
    tags = ["alpha", "beta", "gamma", "delta", "alphabet", "", "it's"]
    rows = {"row": [], "edge_id": [], "node_id": [], "weight": [], "tag": [], "flag": []}
    for r in range(n):
        rows["row"].append(r)
        rows["edge_id"].append(1 + r // 5)                       # sorted: row groups prune on it
        rows["node_id"].append(None if rng.random() < 0.05 else rng.randrange(1, 400))
        w = rng.random()
        rows["weight"].append(None if rng.random() < 0.08 else (float("nan") if rng.random() < 0.01 else round(w, 6)))
        rows["tag"].append(None if rng.random() < 0.1 else rng.choice(tags))
        rows["flag"].append(None if rng.random() < 0.1 else rng.random() < 0.5)
    inc = pa.table({
        "row": pa.array(rows["row"], pa.int64()),
        "edge_id": pa.array(rows["edge_id"], pa.int64()),
        "node_id": pa.array(rows["node_id"], pa.int64()),
        "weight": pa.array(rows["weight"], pa.float64()),
        "tag": pa.array(rows["tag"], pa.string()),
        "flag": pa.array(rows["flag"], pa.bool_()),
    })
    pq.write_table(inc, os.path.join(folder, "inc.parquet"), row_group_size=1000)
    ids = [i for i in range(1, 420) if rng.random() < 0.9]        # some node ids are missing
    nodes = pa.table({
        "node_id": pa.array(ids, pa.int64()),
        "name": pa.array([None if rng.random() < 0.1 else f"n{i % 37}" for i in ids], pa.string()),
        "score": pa.array([None if rng.random() < 0.1 else round(rng.random(), 6) for _ in ids], pa.float64()),
    })
    pq.write_table(nodes, os.path.join(folder, "nodes.parquet"), row_group_size=150)
    t = pa.table({
        "tag": pa.array(["alpha", "beta", "beta", None, "gamma", "gamma", "gamma", "zeta"], pa.string()),
        "bonus": pa.array([1, 2, 3, 4, 5, 6, 7, 8], pa.int32()),
    })
    pq.write_table(t, os.path.join(folder, "tags.parquet"))


def encode(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def run(folder):
    import duckdb
    import polars as pl

    cases = json.load(sys.stdin)
    con = duckdb.connect()
    paths = {t: os.path.join(folder, f"{t}.parquet") for t in ("inc", "nodes", "tags")}
    for t, p in paths.items():
        con.sql(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{p}')")
    frames = {t: pl.scan_parquet(p) for t, p in paths.items()}
    out = {}
    for case in cases:
        answers = {}
        rel = con.sql(case["sql"])
        answers["duckdb"] = {"columns": rel.columns, "rows": [[encode(v) for v in row] for row in rel.fetchall()]}
        if case.get("polars"):
            df = eval(case["polars"], {"pl": pl, **frames}).collect()
            answers["polars"] = {"columns": df.columns, "rows": [[encode(v) for v in row] for row in df.rows()]}
        out[case["id"]] = answers
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "run":
        run(sys.argv[2])
    else:
        sys.exit(__doc__)
