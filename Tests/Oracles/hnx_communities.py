#!/usr/bin/env python3
"""HyperNetX oracle for Anant's community tests.

Reads a JSON list of cases from stdin; each case is
  {"edges": [[edge_id, [node_id, ...]], ...], "weights": {str(edge_id): w, ...},
   "parts": [[node_id, ...], ...]}
and prints, per case, what HyperNetX 2.4.3 computes: modularity of "parts" for the
linear, majority and strict rules, without and with the edge weights; conductance of the
first part; the two-section graph ({"u|v": weight}, ids as str, u < v as text); and, on
the largest node component, the random-walk transition matrix ({"u|v": p}) and its
stationary distribution ({"v": pi}).
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import hypernetx as hnx  # noqa: E402
import pandas as pd  # noqa: E402
from hypernetx.algorithms import hypergraph_modularity as hmod  # noqa: E402
from hypernetx.algorithms import laplacians_clustering as lap  # noqa: E402


def py(x):
    return x.item() if hasattr(x, "item") else x


def case(c):
    edges = {e: ns for e, ns in c["edges"]}
    H = hnx.Hypergraph(edges)
    # HyperNetX 2.4.3's weighted modularity pairs the edges of incidence_dict (sorted by id)
    # with the weights of edges.dataframe (insertion order), and sums volumes in integer
    # arrays: edges are given sorted and the test's weights are whole, so both agree.
    ordered = {e: edges[e] for e in sorted(edges)}
    props = pd.DataFrame({"uid": list(ordered), "weight": [c["weights"][str(e)] for e in ordered]})
    W = hnx.Hypergraph(ordered, edge_properties=props, edge_weight_prop_col="weight")
    parts = [set(p) for p in c["parts"]]
    rules = {"linear": hmod.linear, "majority": hmod.majority, "strict": hmod.strict}
    out = {
        "modularity": {k: hmod.modularity(H, parts, f) for k, f in rules.items()},
        "modularity_weighted": {k: hmod.modularity(W, parts, f) for k, f in rules.items()},
        "conductance": hmod.conductance(H, parts[0]),
    }
    G = hmod.two_section(H)
    names = G.vs["name"]
    two = {}
    for e in G.es:
        a, b = sorted([str(py(names[e.source])), str(py(names[e.target]))])
        two[f"{a}|{b}"] = e["weight"]
    out["two_section"] = two
    component = max(H.s_connected_components(s=1, edges=False, return_singletons=True), key=len)
    C = H.restrict_to_nodes(list(component))
    P, index = lap.prob_trans(C)
    P = P.tocoo()
    out["prob_trans"] = {f"{py(index[r])}|{py(index[k])}": float(v) for r, k, v in zip(P.row, P.col, P.data)}
    pi = lap.get_pi(lap.prob_trans(C, index=False))
    out["pi"] = {str(py(index[i])): float(x) for i, x in enumerate(pi)}
    return out


if __name__ == "__main__":
    json.dump([case(c) for c in json.load(sys.stdin)], sys.stdout)
