#!/usr/bin/env python3
"""HyperNetX oracle for Anant's s-analytics tests.

Reads a JSON list of cases from stdin; each case is
  {"edges": [[edge_id, [node_id, ...]], ...], "pairs": [[node_a, node_b], ...],
   "edge_pairs": [[edge_a, edge_b], ...]}
and prints, per case and for s = 1, 2, 3 and edges / nodes, what HyperNetX 2.4.3 (with
networkx) computes: s-line graph pairs, distances, diameter (or "error"), component
diameters, s-betweenness (normalised and not), s-closeness, s-harmonic (plain and
normalised), s-eccentricity (or "error"). Dictionaries are keyed by str(id).
"""
import json
import math
import sys
import warnings

warnings.filterwarnings("ignore")
import hypernetx as hnx  # noqa: E402
from hypernetx.algorithms.metrics import s_centrality_measures as sc  # noqa: E402


def py(x):
    return x.item() if hasattr(x, "item") else x


def keyed(d):
    return {str(py(k)): float(v) for k, v in d.items()}


def attempt(f):
    try:
        return f()
    except Exception:  # HyperNetXError / NetworkXError: the contract is that it raises
        return "error"


def case(c):
    H = hnx.Hypergraph({e: ns for e, ns in c["edges"]})
    out = {}
    for s in (1, 2, 3):
        for edges in (True, False):
            key = f"{s}|{'edges' if edges else 'nodes'}"
            g = H.get_linegraph(s=s, edges=edges)
            r = {}
            r["pairs"] = sorted(sorted([str(py(a)), str(py(b))]) for a, b in g.edges())
            if edges:
                r["distances"] = [H.edge_distance(a, b, s=s) for a, b in c["edge_pairs"]]
                r["diameter"] = attempt(lambda: H.edge_diameter(s=s))
                d = H.edge_diameters(s=s)
            else:
                r["distances"] = [H.distance(a, b, s=s) for a, b in c["pairs"]]
                r["diameter"] = attempt(lambda: H.diameter(s=s))
                d = H.node_diameters(s=s)
            r["distances"] = [None if isinstance(x, float) and math.isinf(x) else int(x) for x in r["distances"]]
            r["component_diameters"] = sorted([int(dia), sorted(str(py(x)) for x in comp)] for dia, comp in zip(d[1], d[2]))
            r["betweenness"] = keyed(sc.s_betweenness_centrality(H, s=s, edges=edges))
            r["betweenness_raw"] = keyed(sc.s_betweenness_centrality(H, s=s, edges=edges, normalized=False))
            r["closeness"] = keyed(sc.s_closeness_centrality(H, s=s, edges=edges))
            r["harmonic"] = keyed(sc.s_harmonic_centrality(H, s=s, edges=edges))
            r["harmonic_normalized"] = keyed(sc.s_harmonic_centrality(H, s=s, edges=edges, normalized=True))
            ecc = attempt(lambda: sc.s_eccentricity(H, s=s, edges=edges))
            r["eccentricity"] = ecc if ecc == "error" else keyed(ecc)
            out[key] = r
    return out


def main():
    json.dump([case(c) for c in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
