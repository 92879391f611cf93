#!/usr/bin/env python3
# Copied unchanged from the shared anchor suite (../shared/bench/anchors/gen_hypergraph.py) so that
# bench/run can make the identical data set on a machine without ../shared.
"""Deterministic synthetic hypergraph generator (Chung-Lu style, heavy-tailed).

Produces three tables:
  incidences: edge_id int64, node_id int64, weight float64   (exactly N rows,
              distinct (edge_id, node_id) pairs, sorted by edge_id, node_id)
  edges:      edge_id int64, label string (16 categories), score float64
  nodes:      node_id int64, name string (unique, "node-<id>"), score float64

Model: M = N / mean_edge_size hyperedges and V = N / mean_node_degree nodes get
power-law expected sizes / degrees w_i ~ (i + 1) ** (-1 / (gamma - 1)).
Incidences are sampled as independent (edge, node) pairs with probability
proportional to w_edge * w_node (the Chung-Lu bipartite model); duplicate pairs
are dropped and sampling continues until exactly N distinct pairs exist (the
first N distinct pairs in sampling order are kept). Rank -> id maps are random
permutations so ids carry no size information. weight ~ U[0, 1), so
`weight > 0.9` selects ~10 % of rows. Property tables cover all M edges and V
nodes (a few low-weight ids may have no incidences).

Usage:
  python gen_hypergraph.py --n 1e5 1e6 1e7 --out /tmp/anchor-data            # parquet (zstd)
  python gen_hypergraph.py --n 1e6 --out /tmp/anchor-data --format csv      # or: both
Files: <out>/n<N>/{incidences,edges,nodes}.{parquet,csv}
Prints one JSON line per generated size (timings + shape statistics).
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DEFAULTS = dict(mean_edge_size=8.0, mean_node_degree=4.0, gamma_edge=2.5, gamma_node=2.5, seed=42)
EDGE_LABELS = np.array([f"cat_{i:02d}" for i in range(16)])


def _powerlaw_weights(k, gamma):
    w = (np.arange(k, dtype=np.float64) + 1.0) ** (-1.0 / (gamma - 1.0))
    return w / w.sum()


def _sample(cdf, size, rng):
    # inverse-CDF sampling; clip guards the float round-off at the top end
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


def generate_incidences(n, mean_edge_size=8.0, mean_node_degree=4.0, gamma_edge=2.5,
                        gamma_node=2.5, seed=42):
    """Return (edge_id, node_id, weight, n_edges, n_nodes) as numpy arrays, exactly n rows."""
    n = int(n)
    m = max(1, int(round(n / mean_edge_size)))
    v = max(1, int(round(n / mean_node_degree)))
    rng = np.random.default_rng(seed)
    edge_cdf = np.cumsum(_powerlaw_weights(m, gamma_edge))
    node_cdf = np.cumsum(_powerlaw_weights(v, gamma_node))
    keys = np.empty(0, dtype=np.int64)
    batch = int(n * 1.1) + 16
    while True:
        e = _sample(edge_cdf, batch, rng).astype(np.int64)
        u = _sample(node_cdf, batch, rng).astype(np.int64)
        keys = np.concatenate([keys, e * v + u])
        uniq, first = np.unique(keys, return_index=True)
        if len(uniq) >= n:
            break
        batch = int((n - len(uniq)) * 1.5) + 16
    keep = np.sort(first)[:n]  # first n distinct pairs in sampling order
    keys = np.sort(keys[keep])
    e_rank, u_rank = keys // v, keys % v
    edge_perm = rng.permutation(m).astype(np.int64)  # rank -> edge_id
    node_perm = rng.permutation(v).astype(np.int64)  # rank -> node_id
    edge_id, node_id = edge_perm[e_rank], node_perm[u_rank]
    order = np.lexsort((node_id, edge_id))
    edge_id, node_id = edge_id[order], node_id[order]
    weight = rng.random(n)
    return edge_id, node_id, weight, m, v


def generate(n, seed=42, **kw):
    """Return (incidences, edges, nodes) as pyarrow Tables."""
    p = {**DEFAULTS, **kw, "seed": seed}
    edge_id, node_id, weight, m, v = generate_incidences(n, **p)
    rng = np.random.default_rng(seed + 1)
    inc = pa.table({"edge_id": edge_id, "node_id": node_id, "weight": weight})
    edges = pa.table({
        "edge_id": np.arange(m, dtype=np.int64),
        "label": pa.array(EDGE_LABELS[rng.integers(0, len(EDGE_LABELS), m)]),
        "score": rng.random(m),
    })
    node_ids = np.arange(v, dtype=np.int64)
    nodes = pa.table({
        "node_id": node_ids,
        "name": pa.array(np.char.add("node-", node_ids.astype(str))),
        "score": rng.random(v),
    })
    return inc, edges, nodes


def generate_by_edges(n_edges, seed=42, **kw):
    """Convenience for the algorithm benchmarks: size given as number of hyperedges."""
    p = {**DEFAULTS, **kw}
    return generate(int(n_edges * p["mean_edge_size"]), seed=seed, **kw)


def checksum(inc):
    """Short content hash of the incidence table, to check that a regenerated data set is identical."""
    h = hashlib.sha256()
    for c in ("edge_id", "node_id", "weight"):
        h.update(inc.column(c).to_numpy().tobytes())
    return h.hexdigest()[:16]


def describe(inc):
    e = inc.column("edge_id").to_numpy()
    u = inc.column("node_id").to_numpy()
    es = np.bincount(e)
    es = es[es > 0]
    nd = np.bincount(u)
    nd = nd[nd > 0]
    return dict(rows=inc.num_rows, edges_nonempty=int(len(es)), nodes_nonempty=int(len(nd)),
                edge_size_max=int(es.max()), edge_size_mean=round(float(es.mean()), 2),
                edge_size_p99=int(np.percentile(es, 99)), node_deg_max=int(nd.max()),
                node_deg_mean=round(float(nd.mean()), 2), node_deg_p99=int(np.percentile(nd, 99)))


def write(tables, folder, fmt="parquet", compression="zstd"):
    os.makedirs(folder, exist_ok=True)
    for name, t in zip(("incidences", "edges", "nodes"), tables):
        if fmt in ("parquet", "both"):
            pq.write_table(t, os.path.join(folder, f"{name}.parquet"), compression=compression)
        if fmt in ("csv", "both"):
            pacsv.write_csv(t, os.path.join(folder, f"{name}.csv"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", nargs="+", type=float, default=[1e5, 1e6, 1e7], help="incidence counts")
    ap.add_argument("--out", default="/tmp/anchor-data")
    ap.add_argument("--format", choices=["parquet", "csv", "both"], default="parquet")
    ap.add_argument("--compression", default="zstd")
    ap.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    ap.add_argument("--mean-edge-size", type=float, default=DEFAULTS["mean_edge_size"])
    ap.add_argument("--mean-node-degree", type=float, default=DEFAULTS["mean_node_degree"])
    ap.add_argument("--gamma-edge", type=float, default=DEFAULTS["gamma_edge"])
    ap.add_argument("--gamma-node", type=float, default=DEFAULTS["gamma_node"])
    a = ap.parse_args()
    for n in a.n:
        n = int(n)
        t0 = time.perf_counter()
        tables = generate(n, seed=a.seed, mean_edge_size=a.mean_edge_size,
                          mean_node_degree=a.mean_node_degree, gamma_edge=a.gamma_edge,
                          gamma_node=a.gamma_node)
        t1 = time.perf_counter()
        folder = os.path.join(a.out, f"n{n}")
        write(tables, folder, a.format, a.compression)
        t2 = time.perf_counter()
        print(json.dumps({"bench": "gen_hypergraph", "n": n, "folder": folder, "format": a.format,
                          "gen_s": round(t1 - t0, 3), "write_s": round(t2 - t1, 3),
                          "edge_rows": tables[1].num_rows, "node_rows": tables[2].num_rows,
                          "sha256_16": checksum(tables[0]), **describe(tables[0])}), flush=True)


if __name__ == "__main__":
    main()
