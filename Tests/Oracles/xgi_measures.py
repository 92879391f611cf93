#!/usr/bin/env python3
"""XGI oracle for Anant's node centralities and statistics.

Reads a JSON list of cases from stdin, each {"edges": [[node_id, ...], ...]} (a connected
hypergraph, ids as str), and prints per case XGI 0.10's clique and H-eigenvector
centralities, node-edge centrality (nodes and edges by position), Katz centrality,
clustering coefficient, exact degree assortativity (uniform, top-2, top-bottom), and for
uniform hypergraphs the Z-eigenvector centrality.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import xgi  # noqa: E402


def case(c):
    H = xgi.Hypergraph(c["edges"])
    keyed = lambda d: {str(k): float(v) for k, v in d.items()}
    nodes, edges = xgi.node_edge_centrality(H)
    return {
        "cec": keyed(xgi.clique_eigenvector_centrality(H)),
        "hec": keyed(xgi.h_eigenvector_centrality(H, seed=1)),
        "node_edge_nodes": keyed(nodes),
        "node_edge_edges": [float(edges[e]) for e in H.edges],
        "katz": keyed(xgi.katz_centrality(H)),
        "clustering": keyed(xgi.clustering_coefficient(H)),
        "assortativity": {k: xgi.degree_assortativity(H, kind=k, exact=True) for k in ("uniform", "top-2", "top-bottom")},
        "zec": keyed(xgi.z_eigenvector_centrality(H)) if len(set(H.edges.size.asnumpy())) == 1 else None,
    }


if __name__ == "__main__":
    json.dump([case(c) for c in json.load(sys.stdin)], sys.stdout)
