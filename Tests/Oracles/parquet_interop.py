#!/usr/bin/env python3
"""Parquet interoperability oracle: pyarrow, polars and duckdb against Anant.

  parquet_interop.py check DIR   every DIR/*.parquet written by Anant is read with pyarrow,
                                 polars and duckdb and compared with DIR/<name>.expected.jsonl
                                 (one JSON object per row); prints a JSON report
                                 {"files": N, "mismatches": [...]} on stdout.
  parquet_interop.py filter FILE  reads filter expressions, one per stdin line, and prints
                                 a JSON list: for each, the `id` column of the matching rows
                                 of FILE in file order, as DuckDB's WHERE selects them.
  parquet_interop.py write DIR   writes reference files with pyarrow (every codec, dictionary
                                 on and off, data page v1 and v2), polars and duckdb, each with
                                 DIR/<name>.expected.jsonl, for Anant to read.

Doubles compare bit for bit (any NaN equals any NaN); JSON columns compare as text.
"""
import json
import math
import os
import struct
import sys


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        fa, fb = float(a), float(b)
        if math.isnan(fa) and math.isnan(fb):
            return True
        return struct.pack("<d", fa) == struct.pack("<d", fb)
    return a == b


def check(folder):
    import duckdb
    import polars as pl
    import pyarrow.parquet as pq
    mismatches, files = [], 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".parquet"):
            continue
        files += 1
        path = os.path.join(folder, name)
        expected = [json.loads(line) for line in open(path[:-8] + ".expected.jsonl")]
        columns = list(expected[0].keys()) if expected else []
        readers = {
            "pyarrow": lambda: pq.read_table(path).to_pylist(),
            "polars": lambda: pl.read_parquet(path).to_dicts(),
            "duckdb": lambda: [dict(zip(columns, row)) for row in
                               duckdb.sql(f"SELECT {', '.join(chr(34) + c + chr(34) for c in columns)} FROM read_parquet('{path}')").fetchall()],
        }
        for tool, read in readers.items():
            try:
                rows = read()
            except Exception as e:  # noqa: BLE001 - report, do not stop
                mismatches.append({"file": name, "tool": tool, "error": f"{type(e).__name__}: {e}"[:300]})
                continue
            if len(rows) != len(expected):
                mismatches.append({"file": name, "tool": tool, "error": f"{len(rows)} rows, {len(expected)} expected"})
                continue
            for i, (got, want) in enumerate(zip(rows, expected)):
                bad = [c for c in columns if not same(got.get(c), want.get(c))]
                if bad:
                    mismatches.append({"file": name, "tool": tool, "row": i,
                                       "columns": {c: [repr(got.get(c)), repr(want.get(c))] for c in bad[:3]}})
                    break
    json.dump({"files": files, "mismatches": mismatches}, sys.stdout)


def table_rows(n=3000):
    import random
    rnd = random.Random(7)
    rows = []
    for i in range(n):
        def maybe(v):
            return None if rnd.random() < 0.1 else v
        roll = rnd.random()
        weight = None if roll < 0.03 else (float("nan") if roll < 0.05 else (-0.0 if roll < 0.06 else rnd.uniform(-1e6, 1e6)))
        rows.append({
            "id": i * 7 - 3000,
            "small": maybe(rnd.randint(-2**31, 2**31 - 1)),
            "weight": weight,
            "flag": maybe(rnd.random() < 0.5),
            "label": maybe(rnd.choice(["α", "b,c", "", "x" * rnd.randint(0, 40), "😀 emoji", f"n{rnd.randint(0, 300)}"])),
        })
    return rows


def write(folder):
    import duckdb
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq
    rows = table_rows()
    schema = pa.schema([("id", pa.int64(), False), ("small", pa.int32()), ("weight", pa.float64()),
                        ("flag", pa.bool_()), ("label", pa.string())])
    table = pa.Table.from_pylist(rows, schema=schema)
    def emit(name):
        with open(os.path.join(folder, name + ".expected.jsonl"), "w") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")
    for codec in ("none", "snappy", "gzip", "lz4", "zstd"):
        for dictionary in (True, False):
            for version in ("1.0", "2.0"):
                name = f"pyarrow_{codec}_{'dict' if dictionary else 'plain'}_v{version[0]}"
                pq.write_table(table, os.path.join(folder, name + ".parquet"), compression=codec,
                               use_dictionary=dictionary, data_page_version=version, row_group_size=700,
                               data_page_size=4096, write_statistics=True)
                emit(name)
    pq.write_table(table, os.path.join(folder, "pyarrow_delta.parquet"), compression="zstd", use_dictionary=False,
                   column_encoding={"id": "DELTA_BINARY_PACKED", "small": "DELTA_BINARY_PACKED",
                                    "label": "DELTA_LENGTH_BYTE_ARRAY", "weight": "BYTE_STREAM_SPLIT"},
                   data_page_version="2.0", row_group_size=1000)
    emit("pyarrow_delta")
    pl.from_arrow(table).write_parquet(os.path.join(folder, "polars.parquet"), row_group_size=800)
    emit("polars")
    con = duckdb.connect()
    con.register("t", table)
    con.sql(f"COPY (SELECT * FROM t) TO '{os.path.join(folder, 'duckdb.parquet')}' (FORMAT PARQUET, ROW_GROUP_SIZE 1000)")
    emit("duckdb")
    json.dump({"written": len([n for n in os.listdir(folder) if n.endswith(".parquet")])}, sys.stdout)


def filter_rows(path):
    import duckdb
    out = []
    for line in sys.stdin.read().splitlines():
        where = line.replace("`", '"')  # Anant quotes names with backquotes, SQL with "
        rows = duckdb.sql(f"SELECT id FROM read_parquet('{path}') WHERE {where}").fetchall()
        out.append([r[0] for r in rows])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    mode, folder = sys.argv[1], sys.argv[2]
    {"check": check, "write": write, "filter": filter_rows}[mode](folder)
