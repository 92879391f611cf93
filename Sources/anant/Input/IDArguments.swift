import AnantHypergraph

/// Turns ids typed on the command line into dense indices.
///
/// A token is an integer id when it is a canonical integer and the hypergraph has that
/// integer id, else a string id; `"1"` in double quotes is always the string. A token
/// naming neither fails with the hypergraph's "unknown node/edge" message.
enum IDArguments {
    static func nodes(_ tokens: [String], in h: Hypergraph) throws -> [Int] {
        try tokens.map { token in try h.nodeIndex(resolve(token, exists: { h.nodes.index(of: $0) != nil })) }
    }

    static func edges(_ tokens: [String], in h: Hypergraph) throws -> [Int] {
        try tokens.map { token in try h.edgeIndex(resolve(token, exists: { h.edges.index(of: $0) != nil })) }
    }

    /// Splits comma-separated lists (repeated options are concatenated); empty items are
    /// dropped.
    static func split(_ lists: [String]) -> [String] {
        lists.flatMap { $0.split(separator: ",", omittingEmptySubsequences: true).map(String.init) }
    }

    static func resolve(_ token: String, exists: (ElementID) -> Bool) -> ElementID {
        if token.count >= 2, token.hasPrefix("\""), token.hasSuffix("\"") {
            return .string(String(token.dropFirst().dropLast()))
        }
        if let value = Int64(token), String(value) == token, exists(.int(value)) { return .int(value) }
        return .string(token)
    }
}
