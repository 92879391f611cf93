"""Checks the Arrow IPC batches anant_example saved (--save-dir) against the CLI's answer.

    check_arrow.py degree DIR DEGREE_JSON INFO_JSON
        DIR/degrees.*.arrow, read with pyarrow and appended in order, must have one row
        per node of `anant info --format json` and equal `anant degree --format json`
        (node -> degree), in the same order.
    check_arrow.py centrality DIR CENTRALITY_JSON
        DIR/centrality.*.arrow must equal `anant centrality --format json` (vertex ->
        value, best first), value for value.

Exits 0 when they match, 1 with the difference otherwise.
"""
import glob
import json
import os
import sys

import pyarrow as pa
import pyarrow.ipc as ipc


def read_table(directory, name):
    paths = sorted(glob.glob(os.path.join(directory, f"{name}.*.arrow")))
    if not paths:
        sys.exit(f"no {name}.*.arrow batches in {directory}")
    tables = []
    for path in paths:
        with open(path, "rb") as handle:
            tables.append(ipc.open_stream(handle.read()).read_all())
    schemas = {str(t.schema) for t in tables}
    if len(schemas) != 1:
        sys.exit(f"the {name} batches differ in schema: {schemas}")
    return pa.concat_tables(tables), len(paths)


def load(path):
    with open(path) as handle:
        return json.load(handle)


def check_degree(directory, degree_json, info_json):
    table, batches = read_table(directory, "degrees")
    nodes = load(info_json)["nodes"]
    if table.num_rows != nodes:
        sys.exit(f"degree: {table.num_rows} rows from the C client, {nodes} nodes in anant info")
    got = [(row["node"], row["degree"]) for row in table.to_pylist()]
    expected = list(load(degree_json).items())
    if got != expected:
        padded = max(len(got), len(expected))
        got_rows, expected_rows = got + [None] * (padded - len(got)), expected + [None] * (padded - len(expected))
        first = next(i for i in range(padded) if got_rows[i] != expected_rows[i])
        sys.exit(f"degree: row {first} differs: C client {got_rows[first]}, CLI {expected_rows[first]}")
    print(f"degree: {table.num_rows} rows in {batches} batches = {nodes} nodes; every degree equals anant degree")


def check_centrality(directory, centrality_json):
    table, batches = read_table(directory, "centrality")
    columns = table.column_names
    got = list(zip(table.column(columns[0]).to_pylist(), table.column(columns[1]).to_pylist()))
    expected = list(load(centrality_json).items())
    if got != expected:
        sys.exit(f"centrality: C client {got} != CLI {expected}")
    print(f"centrality: {len(got)} rows ({columns[1]}) in {batches} batch(es), equal to anant centrality value for value")


def main(argv):
    if len(argv) == 5 and argv[1] == "degree":
        check_degree(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "centrality":
        check_centrality(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
