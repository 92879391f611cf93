/// The HIF `network-type` of a hypergraph.
public enum NetworkType: String, Sendable, Hashable, CaseIterable {
    /// Edges are plain sets of nodes.
    case undirected
    /// Each incidence may be a `head` or a `tail` of its edge.
    case directed
    /// An abstract simplicial complex.
    case asc
}
