"""Reads a Parquet file with polars: prints JSON {"columns": [...], "dtypes": [...],
"rows": [[...], ...]} (rows as polars gives them)."""
import json
import sys

import polars as pl


def main():
    df = pl.read_parquet(sys.argv[1])
    json.dump({"columns": df.columns, "dtypes": [str(t) for t in df.dtypes], "rows": [list(r) for r in df.iter_rows()]}, sys.stdout)


if __name__ == "__main__":
    main()
