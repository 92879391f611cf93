"""What the cluster must answer: generated inputs with the checksum of their content, and
the embedded CLI's answers on each input (computed once, up front, outside the namespaces).

Every dataset name of the workload is bound to one input file (``gen3`` is always
``gen3.csv``; ``lesmis`` the sample), so every version of a dataset, acknowledged or
not, must hold that file's incidences, and every answer on any of its versions must
equal the CLI's on that file.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import random
import subprocess
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import pyarrow as pa

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LESMIS = os.path.join(ROOT, "data", "samples", "lesmis.hif.json")

QUERY_GROUP = dict(table="incidences", group_by=["node"], aggregations=["count(*) as n"], sort=["n desc", "node"], limit=20)
QUERY_FILTER = dict(table="incidences", where="node >= 'n5'", select=["edge", "node"], sort=["edge", "node"], limit=100)


@dataclass(frozen=True)
class Case:
    """An operation the workload runs through the gateway, and the CLI arguments (FILE the
    input) that must answer the same; ``how``: "arrow" compares the main table, "json" the
    scalars with the CLI's JSON."""

    name: str
    cli: Tuple[str, ...]
    how: str
    call: Callable[[Any, str, int], Any]  # (client, dataset, parts) -> Result
    query: bool = False


CASES: Dict[str, Case] = {c.name: c for c in [
    Case("info", ("info", "FILE"), "json", lambda c, d, p: c.info(d, parts=p)),
    Case("degree", ("degree", "FILE"), "arrow", lambda c, d, p: c.degree(d, parts=p)),
    Case("components", ("components", "FILE"), "arrow", lambda c, d, p: c.components(d, parts=p)),
    Case("components_s2", ("components", "FILE", "--s", "2"), "arrow", lambda c, d, p: c.components(d, s=2, parts=p)),
    Case("betweenness_nodes", ("centrality", "FILE", "--measure", "betweenness", "--nodes"), "arrow",
         lambda c, d, p: c.centrality(d, "betweenness", of="nodes", parts=p)),
    Case("betweenness_edges_s2", ("centrality", "FILE", "--measure", "betweenness", "--s", "2"), "arrow",
         lambda c, d, p: c.centrality(d, "betweenness", s=2, parts=p)),
    Case("query_group", ("query", "FILE", "--group-by", "node", "--agg", "count(*) as n", "--sort", "n desc", "--sort",
                         "node", "--limit", "20"), "arrow", lambda c, d, p: c.query(d, **QUERY_GROUP), query=True),
    Case("query_filter", ("query", "FILE", "--where", "node >= 'n5'", "--select", "edge", "--select", "node", "--sort",
                          "edge", "--sort", "node", "--limit", "100"), "arrow",
         lambda c, d, p: c.query(d, **QUERY_FILTER), query=True),
]}


def canonical_checksum(pairs: Iterable[Tuple[str, str]]) -> Tuple[str, int]:
    """The SHA-256 of the sorted (edge, node) incidences, and their number: the content of
    a dataset whatever its sharding, order or file format."""
    rows = sorted(set((str(e), str(n)) for e, n in pairs))
    digest = hashlib.sha256()
    for edge, node in rows:
        digest.update(f"{edge}\x1f{node}\n".encode())
    return digest.hexdigest(), len(rows)


def table_checksum(table: pa.Table) -> Tuple[str, int]:
    return canonical_checksum(zip(table.column("edge").to_pylist(), table.column("node").to_pylist()))


def generate_csv(path: str, seed: int) -> Tuple[str, int]:
    """A small seeded incidence table (edge,node): 120 to 220 edges of 2 to 7 nodes drawn
    from about 300, skewed towards low ids. Returns its canonical checksum and rows."""
    rng = random.Random(seed)
    nodes = rng.randint(200, 320)
    pairs: List[Tuple[str, str]] = []
    for edge in range(rng.randint(120, 220)):
        members = sorted({int(nodes * rng.random() ** 1.6) for _ in range(rng.randint(2, 7))})
        pairs += [(f"e{edge}", f"n{m}") for m in members]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("edge,node\n")
        handle.writelines(f"{e},{n}\n" for e, n in pairs)
    return canonical_checksum(pairs)


def generate_big_csv(path: str, seed: int, incidences: int = 20_000) -> Tuple[str, int]:
    """A larger seeded incidence table (about 20,000 incidences, 2,800 edges of 2 to 12
    nodes among 4,000): its import and its analytics take long enough to be cut by faults."""
    rng = random.Random(seed)
    pairs: List[Tuple[str, str]] = []
    edge = 0
    while len(pairs) < incidences:
        members = sorted({int(4000 * rng.random() ** 2) for _ in range(rng.randint(2, 12))})
        pairs += [(f"e{edge}", f"n{m}") for m in members]
        edge += 1
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("edge,node\n")
        handle.writelines(f"{e},{n}\n" for e, n in pairs)
    return canonical_checksum(pairs)


def hif_checksum(path: str) -> Tuple[str, int]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return canonical_checksum((i["edge"], i["node"]) for i in data["incidences"])


@dataclass
class Input:
    """A dataset name, the file every version of it is imported from, its checksum."""

    name: str
    path: str
    checksum: str
    rows: int
    skip: Tuple[str, ...] = ()  # cases too slow on it for the embedded CLI (s = 1 node betweenness)


class Oracle:
    """The inputs and the embedded CLI's answer to every case on each of them."""

    def __init__(self, bin_dir: str, work: str, seed: int, generated: int, big: int = 1) -> None:
        self.bin_dir = bin_dir
        self.folder = os.path.join(work, "inputs")
        os.makedirs(self.folder, exist_ok=True)
        os.chmod(work, 0o755)
        self.inputs: Dict[str, Input] = {"lesmis": Input("lesmis", LESMIS, *hif_checksum(LESMIS))}
        for k in range(generated):
            path = os.path.join(self.folder, f"gen{k}.csv")
            self.inputs[f"gen{k}"] = Input(f"gen{k}", path, *generate_csv(path, seed * 1000 + k))
        for k in range(big):
            path = os.path.join(self.folder, f"big{k}.csv")
            self.inputs[f"big{k}"] = Input(f"big{k}", path, *generate_big_csv(path, seed * 1000 + 500 + k),
                                           skip=("betweenness_nodes",))
        self.answers: Dict[Tuple[str, str], Any] = {}  # (dataset, case) -> pa.Table | dict (scalars)
        self.errors: List[str] = []

    def compute(self, workers: int = 2) -> None:
        """Runs the CLI on every input and case (``--format arrow`` or ``json``)."""

        def one(key: Tuple[str, str]) -> Tuple[Tuple[str, str], Any]:
            dataset, case_name = key
            case = CASES[case_name]
            argv = [os.path.join(self.bin_dir, "anant")] + [self.inputs[dataset].path if a == "FILE" else a for a in case.cli]
            argv += ["--format", "json" if case.how == "json" else "arrow"]
            done = subprocess.run(argv, capture_output=True, timeout=300)
            if done.returncode != 0:
                return key, RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-300:]}")
            if case.how == "json":
                return key, json.loads(done.stdout)
            return key, pa.ipc.open_stream(pa.py_buffer(done.stdout)).read_all()

        keys = self.cases()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for key, value in pool.map(one, keys):
                if isinstance(value, Exception):
                    self.errors.append(str(value))
                else:
                    self.answers[key] = value

    def cases(self, dataset: Optional[str] = None) -> List[Tuple[str, str]]:
        """(dataset, case) pairs with an embedded answer (of one dataset, when given)."""
        return [(d, c) for d, i in self.inputs.items() if dataset in (None, d) for c in CASES if c not in i.skip]

    def check(self, dataset: str, case_name: str, result: Any) -> Optional[str]:
        """None when ``result`` (a client Result) equals the CLI's answer; else what differs."""
        want = self.answers.get((dataset, case_name))
        if want is None:
            return None  # no oracle (the CLI failed: reported at start)
        case = CASES[case_name]
        if case.how == "json":
            got = result.scalars
            return None if got == want else f"scalars {json.dumps(got, default=str)[:300]} != CLI {json.dumps(want)[:300]}"
        table = result.table if result.tables else None
        if table is None:
            return "no table in the answer"
        if table.equals(want):
            return None
        if table.schema != want.schema:
            return f"schema {table.schema} != CLI {want.schema}"
        return f"{table.num_rows} rows != the CLI's {want.num_rows} rows, or other values"
