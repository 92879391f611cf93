"""Arrow IPC interoperability oracle for ArrowIPCTests.

  arrow_interop.py read < STREAM      pyarrow (and polars) read an Arrow IPC stream Anant
                                      wrote; prints its schema and values as JSON.
  arrow_interop.py write FILE         pyarrow writes a stream of every type Anant reads to
                                      FILE; prints the values Anant must read, as JSON.
  arrow_interop.py file FILE          pyarrow (open_file) and polars (read_ipc) read an Arrow
                                      IPC file Anant wrote; prints its values as JSON.

Values in the JSON: integers and strings as they are, doubles as the signed 64-bit
integer of their bit pattern (exact, NaN included), null as null.
"""
import io
import json
import struct
import sys

import pyarrow as pa
import polars as pl


def plain(value):
    if isinstance(value, float):
        return struct.unpack("<q", struct.pack("<d", value))[0]
    return value


def describe(table):
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        columns[name] = [plain(v) for v in column.to_pylist()]
    return columns


def read():
    data = sys.stdin.buffer.read()
    reader = pa.ipc.open_stream(io.BytesIO(data))
    batches = list(reader)
    table = pa.Table.from_batches(batches, schema=reader.schema)
    schema = [[f.name, str(f.type), f.nullable] for f in reader.schema]
    frame = pl.read_ipc_stream(io.BytesIO(data))
    polars_same = all(
        [plain(v) for v in frame.get_column(name).to_list()] == describe(table)[name]
        for name in table.column_names
        if not isinstance(table.schema.field(name).type, pa.ExtensionType)
    )
    json.dump({"schema": schema, "batches": len(batches), "rows": table.num_rows,
               "columns": describe(table), "polars_rows": frame.height, "polars_same": polars_same}, sys.stdout)


def write(path):
    def batch(offset):
        n = 5
        return pa.record_batch({
            "i8": pa.array([-128, 127, None, 0, offset], type=pa.int8()),
            "i16": pa.array([-32768, 32767, 1, None, offset], type=pa.int16()),
            "i32": pa.array([-(2**31), 2**31 - 1, None, 7, offset], type=pa.int32()),
            "i64": pa.array([-(2**63), 2**63 - 1, None, 3, offset], type=pa.int64()),
            "u8": pa.array([255, 0, 1, None, offset], type=pa.uint8()),
            "u16": pa.array([65535, 0, None, 2, offset], type=pa.uint16()),
            "u32": pa.array([2**32 - 1, 0, 5, None, offset], type=pa.uint32()),
            "f32": pa.array([1.5, -0.0, None, float("inf"), 0.1], type=pa.float32()),
            "f64": pa.array([0.1, -0.0, float("nan"), None, 1e308], type=pa.float64()),
            "flag": pa.array([True, False, None, True, offset % 2 == 0], type=pa.bool_()),
            "text": pa.array(["a", "", None, "ünïcode ✓", f"row {offset}"], type=pa.string()),
            "large": pa.array(["x" * 3, None, "y", "", "z"], type=pa.large_string()),
            "category": pa.array(["red", "blue", None, "red", "green"]).dictionary_encode(),
        })
    batches = [batch(0), batch(1), batch(2).slice(1, 3)]
    with pa.OSFile(path, "wb") as sink:
        with pa.ipc.new_stream(sink, batches[0].schema) as writer:
            for b in batches:
                writer.write_batch(b)
    table = pa.Table.from_batches(batches)
    json.dump({"rows": table.num_rows, "batches": len(batches), "columns": describe(table)}, sys.stdout)


def read_file(path):
    table = pa.ipc.open_file(path).read_all()
    frame = pl.read_ipc(path)
    polars_same = all([plain(v) for v in frame.get_column(name).to_list()] == describe(table)[name] for name in table.column_names)
    json.dump({"rows": table.num_rows, "columns": describe(table), "polars_same": polars_same}, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read()
    elif sys.argv[1] == "file":
        read_file(sys.argv[2])
    else:
        write(sys.argv[2])
