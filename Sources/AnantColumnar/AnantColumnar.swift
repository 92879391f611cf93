// AnantColumnar — typed columns in contiguous buffers.
//
// This is the lowest layer of Anant (L0 in DESIGN.md). Parquet pages decode into these
// columns, queries filter and aggregate them, hypergraph properties are stored in them and
// algorithm results are returned in them. Everything here is a value type backed by
// contiguous arrays, `Sendable`, and free of I/O and logging.
//
// - `Column` is one typed column: Int32, Int64, Double, Bool, String (offsets + bytes) or
//   JSON (a String column whose values are JSON texts), each with an optional
//   `ValidityBitmap` (a set bit means "not null").
// - `Schema` names and types the columns of a `RecordBatch`.
// - `JSONValue`, `JSONParser` and `JSONWriter` read and write JSON exactly (integers stay
//   integers, key order is kept), for HIF files, manifests and machine-readable output.
