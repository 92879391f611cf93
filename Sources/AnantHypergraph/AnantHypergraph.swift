// AnantHypergraph — the hypergraph model and its algorithms, with HyperNetX's semantics.
//
// A `Hypergraph` is a set of nodes and a set of edges, each edge joining any number of
// nodes. Identifiers are kept as given (`ElementID`: 64-bit integers or strings) and
// dictionary-encoded to dense 32-bit indices in sorted-label order (`IDDictionary`). The
// incidences are stored twice as compressed sparse rows (`CSR`): edge → nodes and node →
// edges, each row ascending. Properties of nodes, edges and incidences are typed columns
// (`RecordBatch` from AnantColumnar), with HyperNetX's default weight of 1.
//
// Construction: from (edge, nodes) lists, from an incidence table, from HIF JSON and from
// CSV incidence files. Structure: degrees, sizes, neighbours, the incidence matrix, dual,
// restrictions, collapses, toplexes, singletons, set operations, statistics and
// s-connected components.
//
// This module is pure: no I/O and no logging. It returns values and throws
// `HypergraphError`. Every type is a `Sendable` value and safe to share across threads.
