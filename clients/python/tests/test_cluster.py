"""The client against a local cluster (``clients/python/test.sh`` starts it): answers equal
HyperNetX's and the embedded CLI's on the bundled lesmis sample; errors carry their status
codes; datasets round-trip through import and export; entity metadata reads back.

Needs ANANT_GATEWAY, ANANT_ADMIN_TOKEN_FILE, ANANT_READER_TOKEN_FILE and ANANT_BIN (the
folder of the ``anant`` executable); skipped without them.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import unittest
import warnings
from typing import Any, Dict, List

import pyarrow as pa

import anant_client
from anant_client import AnantError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LESMIS = os.path.join(ROOT, "data", "samples", "lesmis.hif.json")
GATEWAY = os.environ.get("ANANT_GATEWAY", "")
ADMIN = os.environ.get("ANANT_ADMIN_TOKEN_FILE", "")
READER = os.environ.get("ANANT_READER_TOKEN_FILE", "")
BIN = os.environ.get("ANANT_BIN", "")
DATASET = "lesmis"


def cli(*arguments: str) -> bytes:
    """``anant ARGUMENTS`` run embedded (on the file, not the cluster): its standard output."""
    done = subprocess.run([os.path.join(BIN, "anant"), *arguments], capture_output=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"anant {' '.join(arguments)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def cli_table(*arguments: str) -> pa.Table:
    """The main table of ``anant ARGUMENTS --format arrow`` on the lesmis file."""
    return pa.ipc.open_stream(cli(*arguments[:1], LESMIS, *arguments[1:], "--format", "arrow")).read_all()


def hypernetx_lesmis() -> Any:
    """HyperNetX's hypergraph of the lesmis HIF file, built from its incidences with string
    ids as ``Tests/Oracles/hnx_cli.py`` does (HyperNetX's from_hif fetches a schema)."""
    warnings.filterwarnings("ignore")
    import hypernetx as hnx

    with open(LESMIS, encoding="utf-8") as handle:
        doc = json.load(handle)
    edges: Dict[str, List[str]] = {}
    for record in doc["incidences"]:
        edges.setdefault(str(record["edge"]), []).append(str(record["node"]))
    return hnx.Hypergraph(edges)


def column_dict(table: pa.Table) -> Dict[str, Any]:
    """A two-column table as {first column: second column}."""
    keys, values = table.column(0).to_pylist(), table.column(1).to_pylist()
    return dict(zip(keys, values))


def groups(table: pa.Table, by: str, member: str) -> List[List[str]]:
    """Rows grouped by ``by`` as sorted lists of ``member``, sorted."""
    out: Dict[Any, List[str]] = {}
    for key, value in zip(table.column(by).to_pylist(), table.column(member).to_pylist()):
        out.setdefault(key, []).append(str(value))
    return sorted(sorted(members) for members in out.values())


@unittest.skipUnless(GATEWAY and ADMIN and READER and BIN, "no cluster: run clients/python/test.sh")
class ClusterTests(unittest.TestCase):
    client: anant_client.Client
    H: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = anant_client.connect(GATEWAY, token_file=ADMIN, timeout=120)
        if DATASET not in [d.name for d in cls.client.datasets()]:
            cls.client.import_dataset(LESMIS, DATASET)
        cls.H = hypernetx_lesmis()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    # MARK: Answers equal HyperNetX's

    def test_degrees_equal_hypernetx(self) -> None:
        for s in (1, 2, 3):
            got = column_dict(self.client.degree(DATASET, s=s).table)
            want = {str(n): int(self.H.degree(n, s=s)) for n in self.H.nodes}
            self.assertEqual(got, want, f"s={s}")

    def test_components_equal_hypernetx(self) -> None:
        for s, of in ((1, "edges"), (2, "edges"), (2, "nodes")):
            result = self.client.components(DATASET, s=s, of=of)
            got = groups(result.table, "component", result.table.column_names[1])
            want = sorted(sorted(str(x) for x in c) for c in self.H.s_connected_components(s=s, edges=of == "edges"))
            self.assertEqual(got, want, f"s={s} {of}")
            self.assertEqual(result["count"], len(want))

    def test_betweenness_and_closeness_equal_hypernetx(self) -> None:
        from hypernetx.algorithms.metrics import s_centrality_measures as sc

        cases = [("betweenness", "nodes", 1, sc.s_betweenness_centrality), ("betweenness", "edges", 2, sc.s_betweenness_centrality),
                 ("closeness", "edges", 1, sc.s_closeness_centrality), ("closeness", "nodes", 2, sc.s_closeness_centrality)]
        for measure, of, s, oracle in cases:
            got = column_dict(self.client.centrality(DATASET, measure, s=s, of=of).table)
            want = {str(k): float(v) for k, v in oracle(self.H, s=s, edges=of == "edges").items()}
            for key, value in want.items():
                self.assertAlmostEqual(got[key], value, delta=1e-9 * max(1.0, abs(value)), msg=f"{measure} s={s} {of} {key}")
            for key in set(got) - set(want):  # vertices HyperNetX leaves out score 0
                self.assertEqual(got[key], 0, f"{measure} s={s} {of} {key}")

    # MARK: Answers equal the CLI's

    def test_degrees_equal_the_cli_json(self) -> None:
        want = json.loads(cli("degree", LESMIS, "--format", "json"))
        self.assertEqual(column_dict(self.client.degree(DATASET).table), want)
        want = json.loads(cli("degree", LESMIS, "--s", "2", "--node", "JV", "--node", "CO", "--format", "json"))
        self.assertEqual(column_dict(self.client.degree(DATASET, s=2, nodes=["JV", "CO"]).table), want)

    def test_tables_equal_the_cli_arrow_output(self) -> None:
        cases = [
            (("degree",), self.client.degree(DATASET)),
            (("components", "--s", "2"), self.client.components(DATASET, s=2)),
            (("centrality", "--measure", "betweenness", "--nodes"), self.client.centrality(DATASET, "betweenness", of="nodes")),
            (("centrality", "--measure", "harmonic", "--top", "7"), self.client.centrality(DATASET, "harmonic", top=7)),
            (("centrality", "--measure", "betweenness", "--approx", "--epsilon", "0.05", "--seed", "4"),
             self.client.centrality(DATASET, "betweenness", approx=True, epsilon=0.05, seed=4)),
            (("line-graph", "--s", "2"), self.client.line_graph(DATASET, s=2)),
            (("toplexes",), self.client.toplexes(DATASET)),
            (("communities",), self.client.communities(DATASET)),
        ]
        for arguments, result in cases:
            want = cli_table(*arguments)
            self.assertTrue(result.table.equals(want), f"{arguments}: {result.table.schema} {result.table.num_rows} rows vs "
                                                       f"{want.schema} {want.num_rows} rows")

    def test_approximate_centrality_names_its_bound(self) -> None:
        result = self.client.centrality(DATASET, "closeness", approx=True, epsilon=0.2, delta=0.3, seed=5)
        want = json.loads(cli("centrality", LESMIS, "--measure", "closeness", "--approx", "--epsilon", "0.2", "--delta", "0.3",
                              "--seed", "5", "--format", "json"))
        self.assertEqual(column_dict(result.table), want["values"])
        for key in ("epsilon", "delta", "seed", "searches"):
            self.assertEqual(result[key], want["approximation"][key])

    def test_scalars_equal_the_cli_json(self) -> None:
        want = json.loads(cli("info", LESMIS, "--format", "json"))
        result = self.client.info(DATASET)
        self.assertEqual(result.scalars, want)
        self.assertEqual(result["nodes"], 80)
        distance = self.client.distance(DATASET, "JV", "CO")
        self.assertEqual(distance["distance"], json.loads(cli("distance", LESMIS, "--from", "JV", "--to", "CO", "--format", "json"))["distance"])

    def test_the_answer_does_not_depend_on_the_split(self) -> None:
        one = self.client.run("centrality", DATASET, measure="betweenness", parts=1)
        four = self.client.run("centrality", DATASET, measure="betweenness", parts=4)
        self.assertTrue(one.table.equals(four.table))
        self.assertEqual((one.dataset, one.version), (DATASET, four.version))
        self.assertGreaterEqual(one.version, 1)

    def test_polars_and_queries(self) -> None:
        frame = self.client.degree(DATASET).to_polars()
        self.assertEqual(frame.columns, ["node", "degree"])
        self.assertEqual(frame.height, 80)
        self.assertEqual(int(frame["degree"].sum()), 862)
        rows = self.client.query(DATASET, table="incidences", group_by=["node"], aggregations=["count(*) as n"],
                                 sort=["n desc", "node"], limit=3)
        top = rows.to_polars()
        self.assertEqual(top.columns, ["node", "n"])
        degrees = column_dict(self.client.degree(DATASET).table)
        self.assertEqual(top["n"].to_list(), sorted(degrees.values(), reverse=True)[:3])
        batches = list(self.client.query_batches(DATASET, table="nodes", where="weight > 0.5", select=["node"]))
        self.assertTrue(all(isinstance(b, pa.RecordBatch) for b in batches))

    def test_calls_from_several_threads_share_the_connection(self) -> None:
        want = column_dict(self.client.degree(DATASET).table)
        failures: List[BaseException] = []

        def work() -> None:
            try:
                for _ in range(3):
                    assert column_dict(self.client.degree(DATASET).table) == want
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(failures, [])

    # MARK: Errors

    def assertCode(self, code: str, call: Any, *args: Any, **kwargs: Any) -> AnantError:
        with self.assertRaises(AnantError) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.code, code, caught.exception.message)
        return caught.exception

    def test_a_wrong_token_is_unauthenticated(self) -> None:
        with anant_client.connect(GATEWAY, "not-a-token", retry_seconds=0) as client:
            error = self.assertCode("UNAUTHENTICATED", client.degree, DATASET)
            self.assertFalse(error.retryable)
            self.assertCode("UNAUTHENTICATED", client.datasets)

    def test_a_reader_may_run_but_not_write(self) -> None:
        with anant_client.connect(GATEWAY, token_file=READER) as reader:
            self.assertEqual(reader.degree(DATASET).table.num_rows, 80)
            self.assertCode("PERMISSION_DENIED", reader.import_dataset, LESMIS, "reader-import")
            self.assertCode("PERMISSION_DENIED", reader.remove_dataset, DATASET)
            self.assertCode("PERMISSION_DENIED", reader.meta.put, "paper", {"x": {"title": "no"}})
        self.assertNotIn("reader-import", [d.name for d in self.client.datasets()])

    def test_unknown_datasets_and_bad_parameters(self) -> None:
        self.assertCode("NOT_FOUND", self.client.degree, "no-such-dataset")
        self.assertCode("NOT_FOUND", self.client.degree, DATASET, version=999)
        self.assertCode("NOT_FOUND", self.client.export_dataset, "no-such-dataset", os.path.join(tempfile.mkdtemp(), "x"))
        self.assertCode("INVALID_ARGUMENT", self.client.degree, DATASET, s=0)
        self.assertCode("NOT_FOUND", self.client.neighbors, DATASET, ["no-such-node"])
        self.assertCode("FAILED_PRECONDITION", self.client.diameter, DATASET)  # lesmis is not 1-connected

    def test_deadlines(self) -> None:
        self.assertCode("DEADLINE_EXCEEDED", self.client.centrality, DATASET, "betweenness", s=1, timeout=0.001)
        self.assertEqual(self.client.degree(DATASET, timeout=30).table.num_rows, 80)  # the connection still serves

    def test_a_frame_above_the_maximum_fails_the_call_and_the_client_reconnects(self) -> None:
        with anant_client.connect(GATEWAY, token_file=ADMIN, max_frame_bytes=4096, retry_seconds=0) as client:
            error = self.assertCode("UNAVAILABLE", client.line_graph, DATASET)
            self.assertIn("above this client's maximum of 4096", error.message)
            self.assertIn(DATASET, [d.name for d in client.datasets()])

    # MARK: Datasets

    def test_import_export_round_trip(self) -> None:
        folder = tempfile.mkdtemp(prefix="anant-pyclient-")
        exported = self.client.export_dataset(DATASET, os.path.join(folder, "lesmis"))
        self.assertEqual(exported.version.counts, {"nodes": 80, "edges": 402, "incidences": 862})
        self.assertEqual(exported.read_table("incidences").num_rows, 862)
        self.assertTrue(os.path.isfile(os.path.join(folder, "lesmis", "_manifest.json")))
        info = json.loads(cli("info", os.path.join(folder, "lesmis"), "--format", "json"))  # the CLI reads the folder
        self.assertEqual(info["incidences"], 862)
        self.assertCode("FAILED_PRECONDITION", self.client.export_dataset, DATASET, os.path.join(folder, "lesmis"))

        parquet = os.path.join(folder, "copy.parquet")
        self.client.export_dataset(DATASET, parquet)
        self.assertTrue(os.path.isfile(os.path.join(folder, "copy.nodes.parquet")))
        first = self.client.import_dataset(parquet, "lesmis-copy")
        second = self.client.import_dataset(LESMIS, "lesmis-copy", compression="snappy", shards=2)
        self.assertEqual((first.state, second.version), ("PUBLISHED", first.version + 1))
        self.assertEqual([v.version for v in self.client.versions("lesmis-copy")], [first.version, second.version])
        want = self.client.degree(DATASET).table
        for version in (first.version, second.version):
            self.assertTrue(self.client.degree("lesmis-copy", version=version).table.equals(want), f"version {version}")
        nodes = self.client.query("lesmis-copy", table="nodes", select=["node", "FullName"], sort=["node"], limit=2)
        self.assertEqual(nodes.table.column("node").to_pylist(), ["AZ", "BA"])
        removed = self.client.remove_dataset("lesmis-copy", first.version)
        self.assertEqual(removed.versions_removed, 1)
        self.assertGreater(removed.shards_deleted, 0)
        self.assertEqual(self.client.remove_dataset("lesmis-copy").versions_removed, 1)
        self.assertEqual(self.client.versions("lesmis-copy"), [])
        self.assertCode("NOT_FOUND", self.client.degree, "lesmis-copy")
        # A CSV's schema companion travels with it: the dataset keeps the network type,
        # metadata and string ids that look like numbers.
        csv = os.path.join(folder, "ecoli.csv")
        cli("convert", os.path.join(ROOT, "data", "samples", "e-coli.json"), csv)
        self.assertTrue(os.path.isfile(os.path.join(folder, "ecoli.schema.json")))
        self.client.import_dataset(csv, "ecoli-csv")
        self.client.export_dataset("ecoli-csv", os.path.join(folder, "ecoli-ds"))
        with open(os.path.join(folder, "ecoli-ds", "_manifest.json")) as handle:
            facts = json.load(handle)["hypergraph"]
        self.assertEqual((facts["network_type"], facts["metadata"]["name"]), ("directed", "e_coli_core"))
        self.assertEqual(self.client.remove_dataset("ecoli-csv").versions_removed, 1)
        self.assertCode("NOT_FOUND", self.client.import_dataset, os.path.join(folder, "missing.json"), "x")
        self.assertCode("INVALID_ARGUMENT", self.client.import_dataset, os.path.join(folder, "lesmis", "_manifest.json"), "bad name!")

    # MARK: Entity metadata

    def test_metadata_schema_put_get_query_history(self) -> None:
        meta = self.client.meta
        schema = meta.register_schema("character", [{"name": "name", "type": "string", "required": True},
                                                    {"name": "chapter", "type": "int32", "default": 1}])
        self.assertEqual([f["name"] for f in schema["fields"]], ["name", "chapter"])
        self.assertEqual(meta.schema("character")["version"], schema["version"])
        first = meta.put("character", {"JV": {"name": "Jean Valjean", "chapter": 2}, "CO": {"name": "Cosette"}})
        second = meta.put("character", [{"key": "JV", "name": "Jean Valjean", "chapter": 5}])
        self.assertGreater(second, first)
        record = meta.get("character", "JV")
        assert record is not None
        self.assertEqual((record.values, record.version), ({"name": "Jean Valjean", "chapter": 5}, second))
        self.assertEqual(meta.get("character", "JV", as_of=first).values["chapter"], 2)  # type: ignore[union-attr]
        self.assertEqual(meta.get("character", "CO").values, {"name": "Cosette", "chapter": 1})  # type: ignore[union-attr]
        self.assertIsNone(meta.get("character", "nobody"))
        found = meta.query("character", "chapter >= 1", order_by="chapter desc", fields=["name"])
        self.assertEqual([(r.key, r.values) for r in found], [("JV", {"name": "Jean Valjean"}), ("CO", {"name": "Cosette"})])
        self.assertEqual([e.values.get("chapter") for e in meta.history("character", "JV")][-2:], [2, 5])
        meta.delete("character", "CO")
        self.assertIsNone(meta.get("character", "CO"))
        self.assertTrue(meta.history("character", "CO")[-1].deleted)
        self.assertCode("FAILED_PRECONDITION", meta.register_schema, "character", [{"name": "name", "type": "int64"}])
        self.assertCode("INVALID_ARGUMENT", meta.put, "character", {"JV": {"chapter": "five"}})


if __name__ == "__main__":
    unittest.main()
