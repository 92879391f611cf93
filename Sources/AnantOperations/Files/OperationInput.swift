import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantQuery
import Foundation
import Synchronization

/// What an operation runs on: a dataset (`FOLDER` or `FOLDER@N`), a hypergraph file
/// (HIF, or a CSV or Parquet incidence table with its companions), or a hypergraph in
/// memory. Analyses read the hypergraph (built once, on first use); queries scan the
/// tables — a dataset's shards and a Parquet file as they are on disk, other inputs as
/// the tables of the loaded hypergraph.
public final class OperationInput: Sendable {
    /// The path as given (nil for a hypergraph in memory).
    public let path: String?
    private let dataset: Dataset?
    private let loaded = Mutex<Hypergraph?>(nil)

    /// An input at `path`; nothing is read yet but the dataset's manifest.
    ///
    /// - Throws: `OperationError.notFound` for a missing path, the dataset's error for a
    ///   dataset that does not open.
    public init(path: String) throws {
        self.path = path
        dataset = try HypergraphFiles.dataset(path)
        if dataset == nil { try HypergraphFiles.checkReadable(path) }
    }

    /// A hypergraph already in memory.
    public init(_ h: Hypergraph) {
        path = nil
        dataset = nil
        loaded.withLock { $0 = h }
    }

    /// The hypergraph, read (once) with `context`.
    public func hypergraph(context: ExecutionContext = .default) throws -> Hypergraph {
        if let h = loaded.withLock({ $0 }) { return h }
        let h = try HypergraphFiles.read(path!, context: context)
        loaded.withLock { $0 = h }
        return h
    }

    /// A lazy scan of one of the input's tables.
    public func frame(_ table: DatasetTable, context: ExecutionContext = .default) throws -> LazyFrame {
        if let dataset { return dataset.scan(table) }
        if let path, try HypergraphFiles.format(of: path, sniff: true) == .parquet {
            if table == .incidences { return .scan(.parquet([path])) }
            let (nodes, edges) = HypergraphFiles.companions(of: path, format: .parquet)
            let companion = table == .nodes ? nodes : edges
            guard FileManager.default.fileExists(atPath: companion) else {
                throw OperationError(.notFound, "\(path) has no \(table.rawValue) table: expected \(companion) beside it")
            }
            return .scan(.parquet([companion]))
        }
        let h = try hypergraph(context: context)
        switch table {
        case .incidences: return .scan(.memory(h.incidenceTable()))
        case .nodes: return .scan(.memory(h.nodeTable()))
        case .edges: return .scan(.memory(h.edgeTable()))
        }
    }
}
