/// The sparse |V| × |E| incidence matrix in sorted-label order (HyperNetX
/// `incidence_matrix(index=True)`): rows are nodes, columns are edges, one stored entry per
/// incidence.
public struct IncidenceMatrix: Sendable, Hashable {
    /// Row labels (nodes), in row order.
    public let rowLabels: IDDictionary
    /// Column labels (edges), in column order.
    public let columnLabels: IDDictionary
    /// Row `r` lists the columns of its stored entries, ascending.
    public let rows: CSR
    /// The stored values aligned with `rows.members`: 1 for an unweighted matrix, else the
    /// incidence weights.
    public let values: [Double]

    /// The number of stored entries.
    public var nonZeroCount: Int { rows.memberCount }

    /// The value at (row, column), 0 when no entry is stored.
    public subscript(row: Int, column: Int) -> Double {
        let slice = rows[row]
        guard let position = slice.firstIndex(of: Int32(column)) else { return 0 }
        return values[position]
    }
}

extension Hypergraph {
    /// The incidence matrix; with `weighted`, entries are incidence weights, else 1.
    public func incidenceMatrix(weighted: Bool = false) -> IncidenceMatrix {
        let values: [Double]
        if weighted {
            let (_, sourceSlots) = edgeMembers.transposed(columns: nodeCount)
            let weights = incidenceWeights()
            values = sourceSlots.map { weights[$0] }
        } else {
            values = [Double](repeating: 1, count: incidenceCount)
        }
        return IncidenceMatrix(rowLabels: nodes, columnLabels: edges, rows: nodeMemberships, values: values)
    }
}
