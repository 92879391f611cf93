import AnantColumnar
import AnantHypergraph

/// What an operation answers: named columnar tables and named typed scalars, in a fixed
/// order. Renderers (text, JSON, CSV, Parquet, Arrow) and the wire take it as it is.
public struct OperationResult: Sendable, Hashable {
    /// The tables, in the order the operation defines.
    public var tables: [NamedTable]
    /// The scalars, in the order the operation defines.
    public var scalars: [NamedScalar]

    public init(tables: [NamedTable] = [], scalars: [NamedScalar] = []) {
        self.tables = tables
        self.scalars = scalars
    }

    /// The table called `name`.
    public func table(_ name: String) -> RecordBatch? { tables.first { $0.name == name }?.table }

    /// The scalar called `name`.
    public func scalar(_ name: String) -> ScalarValue? { scalars.first { $0.name == name }?.value }

    /// The hypergraph a result holds (of `dual`, `restrict`, `collapse`): rebuilt from its
    /// incidence, node and edge tables and its facts.
    ///
    /// - Throws: `OperationError.invalidArgument` when the result holds no hypergraph.
    public func hypergraph(context: ExecutionContext = .default) throws -> Hypergraph {
        guard let incidences = table("incidences"), let nodes = table("nodes"), let edges = table("edges"),
              case .json(.object(let facts)) = scalar("facts") else {
            throw OperationError(.invalidArgument, "the result holds no hypergraph (it needs incidences, nodes and edges tables and facts)")
        }
        return try Hypergraph(incidences: incidences, nodes: nodes, edges: edges, facts: facts, context: context)
    }
}

extension OperationResult {
    /// `parts` as one result: each table's rows appended in part order, the scalars those
    /// every part carries (the parts of a task split over vertex ranges, or the pieces an
    /// answer crosses the wire in, where only the first carries scalars: `scalarsFirst`).
    ///
    /// - Throws: `INTERNAL` when the parts do not fit together: tables in another order,
    ///   another schema, other scalars (a part damaged on the way, or of another version).
    public init(appending parts: [OperationResult], scalarsFirst: Bool = false) throws(Status) {
        guard let first = parts.first else { throw Status(.internal, "no part of the answer arrived") }
        var names = [String](), batches = [String: [RecordBatch]]()
        for (k, part) in parts.enumerated() {
            if scalarsFirst ? (k > 0 && !part.scalars.isEmpty) : part.scalars != first.scalars {
                throw Status(.internal, "part \(k) of the answer carries other scalars than the first")
            }
            if !scalarsFirst, part.tables.map(\.name) != first.tables.map(\.name) {
                throw Status(.internal, "part \(k) of the answer has the tables \(part.tables.map(\.name)), the first \(first.tables.map(\.name))")
            }
            for table in part.tables {
                if let earlier = batches[table.name]?.first {
                    guard earlier.schema == table.table.schema else {
                        throw Status(.internal, "part \(k) of the answer's table \(table.name) has the schema \(table.table.schema), not \(earlier.schema)")
                    }
                } else { names.append(table.name) }
                batches[table.name, default: []].append(table.table)
            }
        }
        var tables = [NamedTable]()
        for name in names {
            let parts = batches[name]!
            guard parts.count > 1 else { tables.append(NamedTable(name, parts[0])); continue }
            // The schema as it was (nullability included), each column copied once.
            let schema = parts[0].schema
            let columns = ExecutionContext.default.map(count: schema.fields.count) { k in Column.concatenating(parts.map { $0.columns[k] }) }
            do { tables.append(NamedTable(name, try RecordBatch(schema: schema, columns: columns))) } catch {
                throw Status(.internal, "the parts of the answer's table \(name) do not stack: \(error)")
            }
        }
        self.init(tables: tables, scalars: first.scalars)
    }
}

/// A table of a result.
public struct NamedTable: Sendable, Hashable {
    public var name: String
    public var table: RecordBatch

    public init(_ name: String, _ table: RecordBatch) {
        self.name = name
        self.table = table
    }
}

/// A scalar of a result.
public struct NamedScalar: Sendable, Hashable {
    public var name: String
    public var value: ScalarValue

    public init(_ name: String, _ value: ScalarValue) {
        self.name = name
        self.value = value
    }
}

/// Turns id tokens of a request into dense indices of a hypergraph: a token is an integer
/// id when it is a canonical integer and the hypergraph has that integer id, else a string
/// id; `"1"` in double quotes is always the string. A token naming neither is `NOT_FOUND`.
///
/// With `lists`, a token that is no id but holds commas is a list of ids (`--node A,B` is
/// `--node A --node B`); an id that holds commas still names itself.
public enum ElementReference {
    /// The dense indices of node tokens.
    public static func nodes(_ tokens: [String], in h: Hypergraph, lists: Bool = false) throws(HypergraphError) -> [Int] {
        try indices(tokens, lists: lists, exists: { h.nodes.index(of: $0) != nil }, index: { id throws(HypergraphError) in try h.nodeIndex(id) })
    }

    /// The dense indices of edge tokens.
    public static func edges(_ tokens: [String], in h: Hypergraph, lists: Bool = false) throws(HypergraphError) -> [Int] {
        try indices(tokens, lists: lists, exists: { h.edges.index(of: $0) != nil }, index: { id throws(HypergraphError) in try h.edgeIndex(id) })
    }

    private static func indices(_ tokens: [String], lists: Bool, exists: (ElementID) -> Bool,
                                index: (ElementID) throws(HypergraphError) -> Int) throws(HypergraphError) -> [Int] {
        var out = [Int]()
        for token in tokens {
            let id = resolve(token, exists: exists)
            guard lists, !exists(id), token.contains(",") else {
                out.append(try index(id))
                continue
            }
            let parts = token.split(separator: ",", omittingEmptySubsequences: true)
            guard !parts.isEmpty else { throw HypergraphError(.invalidArgument, "the id list '\(token)' names no id") }
            for part in parts { out.append(try index(resolve(String(part), exists: exists))) }
        }
        return out
    }

    /// Ids as a column: integers when every id is one, strings when every id is one, else
    /// a json column keeping each id's type (as `IDDictionary.column`), so that the integer
    /// 1 and the string "1" stay two ids.
    public static func column(_ ids: [ElementID]) -> Column {
        var integers = [Int64]()
        integers.reserveCapacity(ids.count)
        for id in ids {
            guard case .int(let v) = id else {
                if ids.allSatisfy({ if case .string = $0 { true } else { false } }) { return .string(StringColumn(ids.map(\.description))) }
                return try! Column(type: .json, values: ids.map(\.scalar))
            }
            integers.append(v)
        }
        return .int64(Int64Column(integers))
    }

    /// Row `row` of an id column as text: in a column mixing integer and string ids (json),
    /// a string that reads as an integer is written in quotes (`"1"`), the form the CLI reads
    /// as a string id, so that it never collides with the integer 1 in keys and labels.
    public static func label(_ column: Column, _ row: Int) -> String {
        let value = column[row]
        if column.dataType == .json, case .string(let s) = value, let n = Int64(s), String(n) == s { return "\"\(s)\"" }
        return value.description
    }

    /// The id a token names, given which ids exist.
    public static func resolve(_ token: String, exists: (ElementID) -> Bool) -> ElementID {
        if token.count >= 2, token.hasPrefix("\""), token.hasSuffix("\"") {
            return .string(String(token.dropFirst().dropLast()))
        }
        if let value = Int64(token), String(value) == token, exists(.int(value)) { return .int(value) }
        return .string(token)
    }
}

extension Hypergraph {
    /// The ids of edges (or nodes) as a column: integers when every id is one, else strings.
    func ids(_ indices: [Int], _ vertices: Vertices) -> Column {
        (vertices == .edges ? edges.column : nodes.column).gather(indices)
    }
}
