import AnantColumnar
import AnantProto
import AnantWire

/// A shard's identity: dataset, version, table and index. Every part is validated
/// before it names a file: datasets use a fixed character set (no separator, no
/// traversal, no hidden names), versions start at 1, tables are the three of a dataset.
public struct ShardKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let dataset: String
    public let version: UInt64
    public let table: Anant_V1_DatasetTable
    public let shard: UInt32

    /// A validated key.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` naming what is wrong.
    public init(dataset: String, version: UInt64, table: Anant_V1_DatasetTable, shard: UInt32) throws(Status) {
        try ShardKey.validate(dataset: dataset)
        guard version >= 1 else { throw Status(.invalidArgument, "a shard's version starts at 1 (got 0)") }
        guard ShardKey.folder(table) != nil else { throw Status(.invalidArgument, "a shard's table must be incidences, edges or nodes (got \(table))") }
        self.dataset = dataset
        self.version = version
        self.table = table
        self.shard = shard
    }

    /// The key of a descriptor, whose path (when set) must be the shard's own.
    public init(_ descriptor: Anant_V1_ShardDescriptor) throws(Status) {
        try self.init(dataset: descriptor.dataset, version: descriptor.version, table: descriptor.table, shard: descriptor.shard)
        guard descriptor.path.isEmpty || descriptor.path == path else {
            throw Status(.invalidArgument, "shard \(shard) of \(ShardKey.folder(table)!) is at \"\(path)\" in its dataset, not \"\(ShardKey.printable(descriptor.path))\"")
        }
    }

    /// The path relative to the dataset's version folder, as in a dataset manifest.
    public var path: String { "\(ShardKey.folder(table)!)/part-\(String(100_000 + Int(shard)).dropFirst()).parquet" }

    public var description: String { "\(dataset) v\(version) \(path)" }

    public static func < (a: ShardKey, b: ShardKey) -> Bool {
        (a.dataset, a.version, a.table.rawValue, a.shard) < (b.dataset, b.version, b.table.rawValue, b.shard)
    }

    static func folder(_ table: Anant_V1_DatasetTable) -> String? {
        switch table {
        case .incidences: "incidences"
        case .edges: "edges"
        case .nodes: "nodes"
        default: nil
        }
    }

    static func table(folder: String) -> Anant_V1_DatasetTable? {
        [Anant_V1_DatasetTable.incidences, .edges, .nodes].first { ShardKey.folder($0) == folder }
    }

    /// A dataset name (`WireNames.validate(dataset:)`).
    public static func validate(dataset: String) throws(Status) { try WireNames.validate(dataset: dataset) }

    /// A checksum: 64 lowercase hex digits.
    static func validate(sha256: String) throws(Status) {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw Status(.invalidArgument, "a shard's sha256 is 64 lowercase hex digits, not \"\(printable(sha256))\"")
        }
    }

    static func printable(_ text: String) -> String { WireNames.printable(text) }
}
