// AnantParquet — a native Parquet reader and writer.
//
// No Parquet library exists for Swift here and Arrow C++ is not packaged, so Anant reads
// and writes the format itself, on the C codec libraries (zstd, lz4, snappy, zlib). The
// module follows the format's own layers, as apache/arrow-rs does:
//
// - `Thrift/`: the Thrift compact protocol (all metadata is Thrift).
// - `Format/`: the metadata structures (FileMetaData, SchemaElement, PageHeader ...).
// - `Compression/`: one `Codec` per compression codec.
// - `Encoding/`: bit packing, RLE/bit-packed hybrid, PLAIN, dictionary, DELTA_*, BYTE_STREAM_SPLIT.
// - `Schema/`: the schema tree, leaf columns with their definition/repetition levels and
//   logical types, including the legacy LIST/MAP rules.
// - `Column/`: pages in and out, and column chunk readers and writers.
// - `File/`: byte sources, the file reader (projection, pruning, batches) and writer.
// - `Record/`: reassembly of nested values (Dremel) and the canonical value digest.
//
// Errors are `ParquetError`s that say what is wrong and where. Corrupt input never
// crashes, hangs or allocates by trust in a length: every count and size is checked
// against the bytes that remain. The module does no logging.
