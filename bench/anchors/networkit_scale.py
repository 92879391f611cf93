"""networkit on the data of `anant-bench scale`: the same s-line graph (its pairs and
vertex count, written by Anant) for exact betweenness (projected from a sample of sources,
like Anant's, when --exact-sources is given), ApproxBetweenness (Riondato-Kornaropoulos,
the universal constant 1 that both use), KADABRA (adaptive sampling, the same bound) and
EstimateBetweenness (sampled sources, no bound) and closeness; and its Chung-Lu graph
generator on the same expected degrees (nodes and edges of the hypergraph as vertices, so
that it draws as many pairs as the hypergraph has incidences).

  python networkit_scale.py --work DIR --edges 10000 --s 1 --ops generate betweenness_exact ...
"""
import argparse
import os

import networkit as nk
import numpy as np
import pyarrow.parquet as pq

from _common import emit, measure, versions


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--edges", type=int, required=True)
    p.add_argument("--s", type=int, default=1)
    p.add_argument("--ops", nargs="+", required=True)
    p.add_argument("--epsilon", type=float, default=0.01)
    p.add_argument("--delta", type=float, default=0.1)
    p.add_argument("--exact-sources", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    nk.setNumberOfThreads(a.threads)
    nk.engineering.setSeed(1, False)
    prefix = os.path.join(a.work, f"e{a.edges}")
    base = dict(bench="scale", tool="networkit", n_edges=a.edges, threads=a.threads, status="ok", **versions("networkit"))

    graph = None

    def line_graph():
        nonlocal graph
        if graph is None:
            pairs = pq.read_table(f"{prefix}-s{a.s}-pairs.parquet")
            n = pq.read_table(f"{prefix}-s{a.s}-vertices.parquet")[0][0].as_py()
            graph = nk.Graph(n)
            graph.addEdges((pairs["a"].to_numpy().astype(np.uint64), pairs["b"].to_numpy().astype(np.uint64)))
        return graph

    for op in a.ops:
        record = dict(base)
        if op == "generate":
            degrees = pq.read_table(f"{prefix}-weights.parquet")["degree"].to_pylist()
            stats, g = measure(lambda: nk.generators.ChungLuGenerator(degrees).generate(), repeats=a.repeats)
            record.update(stats, op="generate", pairs=g.numberOfEdges())
        elif op == "betweenness_exact":
            g = line_graph()
            n = g.numberOfNodes()
            sources = min(a.exact_sources, n) if a.exact_sources > 0 else n
            if sources == n:
                stats, algo = measure(lambda: nk.centrality.Betweenness(g, normalized=False).run(), repeats=a.repeats)
                scores = np.array(algo.scores())
                # networkit sums over ordered pairs: half is networkx's unordered sum.
                exact = scores / 2 * (2 / ((n - 1) * (n - 2)) if n > 2 else 1)
                np.save(f"{prefix}-networkit-exact-s{a.s}.npy", exact)
            else:
                # EstimateBetweenness runs the same Brandes pass from `sources` sources.
                stats, _ = measure(lambda: nk.centrality.EstimateBetweenness(g, sources, False, True).run(), repeats=a.repeats)
                factor = n / sources
                stats = {k: (v * factor if isinstance(v, float) and k.endswith("_s") else
                             [t * factor for t in v] if k == "times_s" else v) for k, v in stats.items()}
            record.update(stats, op=f"betweenness_exact_s{a.s}", sources=sources, projected=sources < n)
        elif op in ("betweenness_approx", "betweenness_kadabra"):
            g = line_graph()
            n = g.numberOfNodes()
            if op == "betweenness_approx":
                make = lambda: nk.centrality.ApproxBetweenness(g, a.epsilon, a.delta, 1.0).run()
            else:
                make = lambda: nk.centrality.KadabraBetweenness(g, a.epsilon, a.delta).run()
            stats, algo = measure(make, repeats=a.repeats)
            record.update(stats, op=f"betweenness_approx_s{a.s}", variant=op.split("_")[1], epsilon=a.epsilon, delta=a.delta)
            record["samples"] = algo.numberOfSamples() if op == "betweenness_approx" else algo.getNumberOfIterations()
            exact_file = f"{prefix}-networkit-exact-s{a.s}.npy"
            if os.path.exists(exact_file):
                # Both estimate betweenness over ordered pairs, b (KADABRA's scores are 2 b);
                # HyperNetX's scale is b n / (n - 2).
                estimate = np.array(algo.scores()) * n / (n - 2) / (2 if op == "betweenness_kadabra" else 1)
                record["max_error"] = float(np.max(np.abs(estimate - np.load(exact_file))))
        elif op == "closeness":
            g = line_graph()
            stats, _ = measure(lambda: nk.centrality.Closeness(g, False, nk.centrality.ClosenessVariant.GENERALIZED).run(),
                               repeats=a.repeats)
            record.update(stats, op=f"closeness_s{a.s}")
        else:
            raise SystemExit(f"unknown op {op}")
        emit(record)


if __name__ == "__main__":
    main()
