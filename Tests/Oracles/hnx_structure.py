#!/usr/bin/env python3
"""HyperNetX oracle for Anant's structure tests.

Reads a JSON list of cases from stdin; each case is
  {"edges": [[edge_id, [node_id, ...]], ...],          # the hypergraph (dict form)
   "other": [[edge_id, [node_id, ...]], ...],          # a second hypergraph for set operations
   "nodes": [...], "edges_query": [...],               # ids to query
   "restrict_nodes": [...], "restrict_edges": [...]}
and prints one JSON list with, per case, every structural result HyperNetX 2.4.3 computes.
Ids keep their JSON type (int or str). Lists whose order HyperNetX does not define are sorted.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import hypernetx as hnx  # noqa: E402
from hypernetx.reports import descriptive_stats as ds  # noqa: E402


def py(x):
    """numpy scalars -> Python scalars."""
    return x.item() if hasattr(x, "item") else x


def ids(xs):
    return sorted(py(x) for x in xs)


def incidence_dict(H):
    return {str(py(e)): ids(H.edges[e]) for e in H.edges}


def weights(view):
    df = view.to_dataframe
    return {str(py(k)): float(v) for k, v in df["weight"].items()}


def case(c):
    H = hnx.Hypergraph({e: ns for e, ns in c["edges"]})
    O = hnx.Hypergraph({e: ns for e, ns in c["other"]})
    out = {}
    out["shape"] = list(H.shape)
    out["info"] = {k: py(v) for k, v in ds.info_dict(H).items()}
    stats = ds.dist_stats(H)
    out["degree_stats"] = [py(v) for v in stats["node degree centrality stats"].values()]
    out["size_stats"] = [py(v) for v in stats["edge size centrality stats"].values()]
    out["degree"] = {}
    for v in c["nodes"]:
        out["degree"][str(v)] = [H.degree(v), H.degree(v, s=2), H.degree(v, s=3), H.degree(v, max_size=3),
                                 H.degree(v, s=2, max_size=4)]
    out["size"] = {str(e): [H.size(e), H.dim(e), H.size(e, c["restrict_nodes"])] for e in c["edges_query"]}
    out["neighbors"] = {str(v): [ids(H.neighbors(v, s=s)) for s in (1, 2, 3)] for v in c["nodes"]}
    out["edge_neighbors"] = {str(e): [ids(H.edge_neighbors(e, s=s)) for s in (1, 2, 3)] for e in c["edges_query"]}
    M, rows, cols = H.incidence_matrix(index=True)
    M = M.tocoo()
    out["incidence_matrix"] = {"rows": [py(x) for x in rows], "cols": [py(x) for x in cols],
                               "entries": sorted([int(r), int(k)] for r, k in zip(M.row, M.col))}
    out["dual"] = incidence_dict(H.dual())
    R = H.restrict_to_nodes(c["restrict_nodes"])
    out["restrict_nodes"] = incidence_dict(R)
    out["restrict_edges"] = incidence_dict(H.restrict_to_edges(c["restrict_edges"]))
    C, classes = H.collapse_edges(return_equivalence_classes=True)
    out["collapse_edges"] = {"classes": sorted(ids(v) for v in classes.values()),
                             "representatives": ids(classes.keys()), "weights": weights(C.edges),
                             "cell_weights": {f"{py(e)}|{py(v)}": float(w) for (e, v), w in C.incidences.to_dataframe["weight"].items()}}
    CN, nclasses = H.collapse_nodes(return_equivalence_classes=True, use_counts=True)
    out["collapse_nodes"] = {"classes": sorted(ids(v) for v in nclasses.values()),
                             "names": ids(nclasses.keys()), "weights": weights(CN.nodes),
                             "incidences": incidence_dict(CN)}
    out["toplexes"] = ids(H.toplexes())
    out["singletons"] = ids(H.singletons())
    out["remove_singletons"] = incidence_dict(H.remove_singletons())
    out["union"] = incidence_dict(H.union(O))
    out["intersection"] = incidence_dict(H.intersection(O))
    out["difference"] = incidence_dict(H.difference(O))
    comps = {}
    for s in (1, 2, 3):
        for edges in (True, False):
            for singles in (True, False):
                key = f"{s}|{'edges' if edges else 'nodes'}|{singles}"
                comps[key] = sorted(ids(x) for x in H.s_connected_components(s=s, edges=edges, return_singletons=singles))
    out["components"] = comps
    out["is_connected"] = [H.is_connected(s=s, edges=e) for s in (1, 2) for e in (False, True)]
    return out


def main():
    cases = json.load(sys.stdin)
    json.dump([case(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
