#!/usr/bin/env python3
"""Dataset oracle: pyarrow, polars and DuckDB read an Anant dataset folder as it is.

  dataset_oracle.py DIR    prints {"pyarrow": {...}, "polars": {...}, "duckdb": {...}}, each
                           with the row counts of incidences, nodes and edges (read from
                           DIR/<table>/, through the links to the current version) and the
                           number of distinct edge ids among the incidences plus the edges
                           table (so empty edges count).
"""
import json
import os
import sys


def main(root):
    import duckdb
    import polars as pl
    import pyarrow.dataset as ds

    out = {}
    tables = ("incidences", "nodes", "edges")
    pa_tabs = {t: ds.dataset(os.path.join(root, t), format="parquet").to_table() for t in tables}
    edge_ids = set(pa_tabs["edges"].column("edge").to_pylist()) | set(pa_tabs["incidences"].column("edge").to_pylist())
    out["pyarrow"] = {**{t: pa_tabs[t].num_rows for t in tables}, "distinct_edges": len(edge_ids)}

    pl_tabs = {t: pl.scan_parquet(os.path.join(root, t, "*.parquet")) for t in tables}
    counts = {t: pl_tabs[t].select(pl.len()).collect().item() for t in tables}
    distinct = pl.concat([pl_tabs["incidences"].select("edge"), pl_tabs["edges"].select("edge")]).unique().select(pl.len()).collect().item()
    out["polars"] = {**counts, "distinct_edges": distinct}

    con = duckdb.connect()
    glob = {t: os.path.join(root, t, "*.parquet") for t in tables}
    counts = {t: con.execute(f"SELECT count(*) FROM read_parquet('{glob[t]}')").fetchone()[0] for t in tables}
    distinct = con.execute(f"SELECT count(DISTINCT edge) FROM (SELECT edge FROM read_parquet('{glob['incidences']}') "
                       f"UNION ALL SELECT edge FROM read_parquet('{glob['edges']}'))").fetchone()[0]
    out["duckdb"] = {**counts, "distinct_edges": distinct}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
