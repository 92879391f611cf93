#!/usr/bin/env python3
"""HyperNetX answers for the `anant` CLI tests on the bundled HIF files.

  hnx_cli.py FILE...   prints {file: {"s|edges|nodes": {...}}} with, per s in (1, 2) and
                       for the edge and node s-line graphs: betweenness (normalised),
                       closeness, harmonic, components (no singletons) and the diameter of
                       every component; and the modularity of HyperNetX's kumar
                       partition (Louvain by igraph). HyperNetX is built from the HIF incidences (its
                       from_hif fetches a schema over the network); like HyperNetX's views,
                       it has no isolated nodes or empty edges.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import hypernetx as hnx  # noqa: E402
from hypernetx.algorithms import hypergraph_modularity as hmod  # noqa: E402
from hypernetx.algorithms.metrics import s_centrality_measures as sc  # noqa: E402


def py(x):
    return x.item() if hasattr(x, "item") else x


def load(path):
    doc = json.load(open(path))
    edges = {}
    # Ids as strings: with mixed int and str ids (diseasome) HyperNetX 2.4.3 coerces line
    # graph labels to str inside s_connected_components, so int edge 301 comes back as
    # '301' and restrict_to_edges drops it from its component subgraph, skewing
    # betweenness and closeness. No file here has an int and a str id with the same text,
    # so stringified ids keep every structure (and match Anant's printed labels).
    for record in doc["incidences"]:
        edges.setdefault(str(record["edge"]), []).append(str(record["node"]))
    return hnx.Hypergraph(edges)


def answers(H):
    out = {"kumar_modularity": hmod.modularity(H, hmod.kumar(H))}
    for s in (1, 2):
        for edges in (True, False):
            keyed = lambda d: {str(py(k)): float(v) for k, v in d.items()}
            dia = H.edge_diameters(s=s) if edges else H.node_diameters(s=s)
            out[f"{s}|{'edges' if edges else 'nodes'}"] = {
                "betweenness": keyed(sc.s_betweenness_centrality(H, s=s, edges=edges)),
                "betweenness_raw": keyed(sc.s_betweenness_centrality(H, s=s, edges=edges, normalized=False)),
                "closeness": keyed(sc.s_closeness_centrality(H, s=s, edges=edges)),
                "harmonic": keyed(sc.s_harmonic_centrality(H, s=s, edges=edges)),
                "components": sorted(sorted(str(py(x)) for x in c) for c in H.s_connected_components(s=s, edges=edges)),
                "diameters": sorted([int(d), sorted(str(py(x)) for x in c)] for d, c in zip(dia[1], dia[2])),
            }
    return out


if __name__ == "__main__":
    json.dump({path: answers(load(path)) for path in sys.argv[1:]}, sys.stdout)
