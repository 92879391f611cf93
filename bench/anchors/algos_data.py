#!/usr/bin/env python3
"""Writes the data of hypergraph_algos.py for Anant: generate_by_edges(E, seed) incidences
(edge_id, node_id, weight) as DIR/e<E>.parquet, for every E given (skipped when present).

  python algos_data.py --edges 1000 10000 50000 --out DIR [--seed 42]
"""
import argparse
import os

import pyarrow.parquet as pq

from gen_hypergraph import generate_by_edges


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edges", nargs="+", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for n in a.edges:
        path = os.path.join(a.out, f"e{n}.parquet")
        if not os.path.exists(path):
            pq.write_table(generate_by_edges(n, seed=a.seed)[0], path)
        print(path)


if __name__ == "__main__":
    main()
