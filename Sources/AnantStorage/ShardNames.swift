import AnantColumnar
import AnantProto

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

    /// A dataset name: 1 to 128 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit
    /// (so no ".", "..", hidden or option-like names).
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT`.
    public static func validate(dataset: String) throws(Status) {
        let bytes = Array(dataset.utf8)
        guard (1...128).contains(bytes.count) else {
            throw Status(.invalidArgument, "a dataset name has 1 to 128 characters (got \(bytes.count))")
        }
        func allowed(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
        guard bytes.allSatisfy(allowed), allowed(bytes[0]), bytes[0] != 0x2E, bytes[0] != 0x2D, bytes[0] != 0x5F else {
            throw Status(.invalidArgument, "dataset name \"\(printable(dataset))\" is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit")
        }
    }

    /// A checksum: 64 lowercase hex digits.
    static func validate(sha256: String) throws(Status) {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw Status(.invalidArgument, "a shard's sha256 is 64 lowercase hex digits, not \"\(printable(sha256))\"")
        }
    }

    /// A name as it may be shown in a message: at most 80 characters, control characters
    /// escaped.
    static func printable(_ text: String) -> String {
        let shown = text.unicodeScalars.prefix(80).map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return text.unicodeScalars.count > 80 ? shown + "…" : shown
    }
}
