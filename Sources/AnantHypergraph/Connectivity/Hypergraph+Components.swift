import AnantColumnar

extension Hypergraph {
    /// The s-connected components (HyperNetX `s_connected_components`): the connected
    /// components of the s-line graph of edges (`edges: true`) or of nodes.
    ///
    /// Every element is a vertex of the s-line graph, so with `includeSingletons` the
    /// components partition all edges (or nodes); without it, one-element components are
    /// left out, as HyperNetX's default `return_singletons=False`.
    ///
    /// - Returns: components, each ascending, ordered by their smallest element.
    /// - Throws: `invalidArgument` for s < 1; `interrupted` when the context stops the work.
    public func sConnectedComponents(s: Int = 1, edges: Bool = true, includeSingletons: Bool = false,
                                     context: ExecutionContext = .default) throws(HypergraphError) -> [[Int]] {
        let count = edges ? edgeCount : nodeCount
        return try sComponentPartial(s: s, edges: edges, sources: 0..<(s == 1 ? edgeCount : count), context: context)
            .components(of: self, includeSingletons: includeSingletons)
    }

    /// True when the s-line graph (of nodes by default, as HyperNetX `is_connected`) is
    /// connected; false for a hypergraph without elements.
    public func isConnected(s: Int = 1, edges: Bool = false, context: ExecutionContext = .default) throws(HypergraphError) -> Bool {
        let count = edges ? edgeCount : nodeCount
        guard count > 0 else { return false }
        return try sConnectedComponents(s: s, edges: edges, includeSingletons: true, context: context).count == 1
    }

    /// The s-component subgraphs (HyperNetX `s_component_subgraphs`): per s-component, the
    /// hypergraph restricted to its edges (or nodes), named "name:index".
    public func sComponentSubgraphs(s: Int = 1, edges: Bool = true, includeSingletons: Bool = false,
                                    context: ExecutionContext = .default) throws(HypergraphError) -> [Hypergraph] {
        try sConnectedComponents(s: s, edges: edges, includeSingletons: includeSingletons, context: context).enumerated().map { k, members in
            var part = edges ? restricted(toEdges: members) : restricted(toNodes: members)
            part.name = "\(name ?? "None"):\(k)"
            return part
        }
    }
}

extension Hypergraph {
    /// Groups of element indices (s-components, communities) in the one order every output
    /// numbers them by: largest first, ties by smallest member. The group at index k is
    /// number k + 1 in the CLI's text and JSON, the report's tables and the query metrics.
    public static func inNumberingOrder(_ groups: [[Int]]) -> [[Int]] {
        let smallest = groups.map { $0.min() ?? Int.max }
        return groups.indices.sorted {
            groups[$0].count != groups[$1].count ? groups[$0].count > groups[$1].count : smallest[$0] < smallest[$1]
        }.map { groups[$0] }
    }
}
