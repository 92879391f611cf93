"""The client's wire against scripted fake gateways (no cluster): frames, pings, refused,
truncated and undecodable frames, deadlines, statuses; and building operations."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
import threading
import time
import unittest
from typing import Callable, List, Optional

import pyarrow as pa

import anant_client
from anant_client import AnantError
from anant_client._proto.anant.v1 import common_pb2, envelope_pb2, gateway_pb2, metadata_pb2
from anant_client._wire import Connection, encode_frame, parse_address
from anant_client.operations import build_operation

E = envelope_pb2


def read_frame(conn: socket.socket) -> Optional[envelope_pb2.Envelope]:
    """One frame from the client (None when it closed)."""
    def exactly(n: int) -> Optional[bytes]:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data
    header = exactly(4)
    if header is None:
        return None
    body = exactly(struct.unpack(">I", header)[0])
    return None if body is None else envelope_pb2.Envelope.FromString(body)


class FakeGateway:
    """Listens on 127.0.0.1 and runs ``script(conn)`` on each connection it accepts."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.server.getsockname()[1]
        self.script = script
        self.seen: List[envelope_pb2.Envelope] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.script(conn)
            except OSError:
                pass

    def close(self) -> None:
        self.server.close()


def answer(request: envelope_pb2.Envelope, kind: int, payload: Optional[bytes] = None,
           status: Optional[envelope_pb2.Status] = None) -> bytes:
    envelope = envelope_pb2.Envelope(request_id=request.request_id, kind=kind)
    if payload is not None:
        envelope.payload = payload
    if status is not None:
        envelope.status.CopyFrom(status)
    return encode_frame(envelope)


def run_answer(request: envelope_pb2.Envelope, pieces: int) -> bytes:
    """A whole Run answer: the version, ``pieces`` pieces of the table ``rows`` (one row
    each, ``i`` from 0), the timings, END_OF_STREAM."""
    first = gateway_pb2.RunResponse(dataset=common_pb2.DatasetRef(name="d", version=2))
    first.result.scalars.add(name="count", value=common_pb2.ScalarValue(int_value=pieces))
    items = [first]
    for i in range(pieces):
        item = gateway_pb2.RunResponse()
        item.result.tables.add(name="rows").table.arrow_ipc = arrow_bytes(pa.table({"i": pa.array([i], pa.int64())}))
        items.append(item)
    last = gateway_pb2.RunResponse()
    last.timings.total = 1_000_000
    items.append(last)
    return (b"".join(answer(request, E.ENVELOPE_KIND_STREAM_ITEM, item.SerializeToString()) for item in items)
            + answer(request, E.ENVELOPE_KIND_END_OF_STREAM))


def query_answer(request: envelope_pb2.Envelope, batches: int, end: bool = True) -> bytes:
    """A query's answer: ``batches`` batches of one row (``i``), then END_OF_STREAM."""
    frames = []
    for i in range(batches):
        item = gateway_pb2.QueryResponse()
        if i == 0:
            item.dataset.name, item.dataset.version = "d", 3
        item.batch.arrow_ipc = arrow_bytes(pa.table({"i": pa.array([i], pa.int64())}))
        frames.append(answer(request, E.ENVELOPE_KIND_STREAM_ITEM, item.SerializeToString()))
    if end:
        frames.append(answer(request, E.ENVELOPE_KIND_END_OF_STREAM))
    return b"".join(frames)


def arrow_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


class WireTests(unittest.TestCase):
    def serve(self, script: Callable[[socket.socket], None]) -> FakeGateway:
        gateway = FakeGateway(script)
        self.addCleanup(gateway.close)
        return gateway

    def connect(self, gateway: FakeGateway, **options: object) -> anant_client.Client:
        client = anant_client.connect(gateway.address, "secret", retry_seconds=0, **options)  # type: ignore[arg-type]
        self.addCleanup(client.close)
        return client

    def test_the_worked_frame_of_the_wire_doc(self) -> None:
        envelope = envelope_pb2.Envelope(request_id=7, method="anant.v1.Storage/Stat", kind=E.ENVELOPE_KIND_REQUEST, payload=b"")
        expected = ("00 00 00 1d 08 07 12 15 61 6e 61 6e 74 2e 76 31 2e 53 74 6f 72 61 67 65 2f "
                    "53 74 61 74 18 01 42 00")
        self.assertEqual(encode_frame(envelope), bytes.fromhex(expected))

    def test_addresses(self) -> None:
        self.assertEqual(parse_address("127.0.0.1:7000"), ("127.0.0.1", 7000))
        self.assertEqual(parse_address("[::1]:80"), ("::1", 80))
        for bad in ("localhost", ":80", "host:0", "host:x"):
            with self.assertRaises(AnantError) as caught:
                parse_address(bad)
            self.assertEqual(caught.exception.code, "INVALID_ARGUMENT")

    def test_a_request_carries_token_method_and_deadline_and_pings_are_answered(self) -> None:
        pongs: List[envelope_pb2.Envelope] = []

        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            gateway.seen.append(request)
            conn.sendall(encode_frame(envelope_pb2.Envelope(request_id=99, kind=E.ENVELOPE_KIND_PING)))
            pong = read_frame(conn)
            assert pong is not None
            pongs.append(pong)
            reply = gateway_pb2.ClusterStatusResponse(jobs_finished=3)
            conn.sendall(answer(request, E.ENVELOPE_KIND_RESPONSE, reply.SerializeToString()))
            read_frame(conn)

        gateway = self.serve(script)
        before = time.time()
        status = self.connect(gateway).status(timeout=30)
        self.assertEqual(status.jobs_finished, 3)
        request = gateway.seen[0]
        self.assertEqual(request.method, "anant.v1.Gateway/ClusterStatus")
        self.assertEqual(request.kind, E.ENVELOPE_KIND_REQUEST)
        self.assertEqual(request.auth_token, "secret")
        self.assertEqual(request.request_id, 1)
        self.assertAlmostEqual(request.deadline_unix_nanos / 1e9, before + 30, delta=5)
        self.assertEqual(request.WhichOneof("body"), "payload")  # an empty message is still a payload
        self.assertEqual((pongs[0].kind, pongs[0].request_id), (E.ENVELOPE_KIND_PONG, 99))

    def test_a_failed_status_is_an_error_with_its_code(self) -> None:
        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            status = envelope_pb2.Status(code=E.STATUS_CODE_NOT_FOUND, message="no dataset x", retryable=False,
                                         details=[envelope_pb2.StatusDetail(key="dataset", value="x")])
            conn.sendall(answer(request, E.ENVELOPE_KIND_END_OF_STREAM, status=status))
            read_frame(conn)

        with self.assertRaises(AnantError) as caught:
            self.connect(self.serve(script)).degree("x")
        error = caught.exception
        self.assertEqual((error.code, error.number, error.message, error.retryable), ("NOT_FOUND", 5, "no dataset x", False))
        self.assertEqual(error.details, {"dataset": "x"})

    def test_a_streamed_answer_in_pieces_is_put_back_together(self) -> None:
        first = pa.table({"node": ["a", "b"], "degree": pa.array([1, 2], pa.int64())})
        second = pa.table({"node": ["c"], "degree": pa.array([3], pa.int64())})

        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            items = [gateway_pb2.RunResponse(dataset=common_pb2.DatasetRef(name="d", version=4)),
                     gateway_pb2.RunResponse(), gateway_pb2.RunResponse(), gateway_pb2.RunResponse()]
            items[0].result.scalars.add(name="count", value=common_pb2.ScalarValue(int_value=3))
            items[0].result.scalars.add(name="facts", value=common_pb2.ScalarValue(json_value='{"a": [1, 2.5]}'))
            items[1].result.tables.add(name="degrees").table.arrow_ipc = arrow_bytes(first)
            items[2].result.tables.add(name="degrees").table.arrow_ipc = arrow_bytes(second)
            items[3].timings.total = 2_000_000_000
            items[3].timings.tasks = 2
            for item in items:
                conn.sendall(answer(request, E.ENVELOPE_KIND_STREAM_ITEM, item.SerializeToString()))
            conn.sendall(answer(request, E.ENVELOPE_KIND_END_OF_STREAM))
            read_frame(conn)

        result = self.connect(self.serve(script)).degree("d")
        self.assertEqual((result.dataset, result.version), ("d", 4))
        self.assertEqual(result.table.to_pydict(), {"node": ["a", "b", "c"], "degree": [1, 2, 3]})
        self.assertEqual(result["count"], 3)
        self.assertEqual(result.scalars["facts"], {"a": [1, 2.5]})
        assert result.timings is not None
        self.assertEqual((result.timings.total, result.timings.tasks), (2.0, 2))
        self.assertEqual(result.to_polars()["degree"].to_list(), [1, 2, 3])

    def test_an_answer_without_its_end_is_an_error(self) -> None:
        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            item = gateway_pb2.RunResponse(dataset=common_pb2.DatasetRef(name="d", version=1))
            conn.sendall(answer(request, E.ENVELOPE_KIND_STREAM_ITEM, item.SerializeToString()))
            conn.sendall(answer(request, E.ENVELOPE_KIND_END_OF_STREAM))
            read_frame(conn)

        with self.assertRaises(AnantError) as caught:
            self.connect(self.serve(script)).degree("d")
        self.assertEqual(caught.exception.code, "INTERNAL")
        self.assertIn("ended early", caught.exception.message)

    def _refused(self, send: bytes, **options: object) -> AnantError:
        def script(conn: socket.socket) -> None:
            read_frame(conn)
            conn.sendall(send)
            conn.shutdown(socket.SHUT_WR)
            time.sleep(0.5)

        with self.assertRaises(AnantError) as caught:
            self.connect(self.serve(script), **options).datasets()
        return caught.exception

    def test_an_oversized_frame_is_refused_before_its_body(self) -> None:
        error = self._refused(struct.pack(">I", 2048) + b"x" * 10, max_frame_bytes=1024)
        self.assertEqual(error.code, "UNAVAILABLE")
        self.assertIn("frame of 2048 bytes, above this client's maximum of 1024", error.message)

    def test_a_zero_length_frame_is_refused(self) -> None:
        self.assertIn("length 0", self._refused(struct.pack(">I", 0)).message)

    def test_a_truncated_frame_is_an_error(self) -> None:
        error = self._refused(struct.pack(">I", 100) + b"\x08\x01")
        self.assertEqual(error.code, "UNAVAILABLE")
        self.assertIn("truncated", error.message)
        self.assertIn("2 of 100 bytes", error.message)
        self.assertIn("truncated", self._refused(b"\x00\x00").message)

    def test_bytes_that_are_not_an_envelope_are_refused(self) -> None:
        error = self._refused(struct.pack(">I", 3) + b"\xff\xff\xff")
        self.assertEqual(error.code, "UNAVAILABLE")
        self.assertIn("not an Envelope", error.message)

    def test_a_deadline_fails_the_call_and_cancels_it(self) -> None:
        def script(conn: socket.socket) -> None:
            while True:
                frame = read_frame(conn)
                if frame is None:
                    return
                gateway.seen.append(frame)

        gateway = self.serve(script)
        started = time.monotonic()
        with self.assertRaises(AnantError) as caught:
            self.connect(gateway).degree("d", timeout=0.3)
        self.assertEqual(caught.exception.code, "DEADLINE_EXCEEDED")
        self.assertLess(time.monotonic() - started, 5)
        deadline = time.monotonic() + 5
        while len(gateway.seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual([f.kind for f in gateway.seen], [E.ENVELOPE_KIND_REQUEST, E.ENVELOPE_KIND_CANCEL])
        self.assertEqual(gateway.seen[1].request_id, gateway.seen[0].request_id)

    def test_an_unreachable_gateway_is_unavailable(self) -> None:
        server = socket.create_server(("127.0.0.1", 0))
        address = "127.0.0.1:%d" % server.getsockname()[1]
        server.close()
        with anant_client.connect(address, "t", retry_seconds=0) as client:
            with self.assertRaises(AnantError) as caught:
                client.datasets()
        self.assertEqual((caught.exception.code, caught.exception.retryable), ("UNAVAILABLE", True))

    # MARK: A close right after an answer; retries

    def hif_file(self, size: int = 0) -> str:
        """A HIF file to upload (the fake gateways do not read it), padded to ``size`` bytes."""
        folder = tempfile.mkdtemp(prefix="anant-client-test-")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        path = os.path.join(folder, "g.json")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write('{"incidences": [{"edge": "e", "node": "n"}]}' + " " * max(0, size - 45))
        return path

    def test_complete_answers_survive_the_close_that_follows_them(self) -> None:
        # The gateway answers (a stream longer than a call's inbox, a unary answer, an
        # import's answer) and closes the connection at once, before the caller read the
        # answer: every complete answer is still returned, never retried (retry_seconds=0).
        connections = []

        def script(conn: socket.socket) -> None:
            connections.append(conn)
            request = read_frame(conn)
            assert request is not None
            if request.method.endswith("/Run"):
                conn.sendall(run_answer(request, 40))
            elif request.method.endswith("/RemoveDataset"):
                reply = gateway_pb2.RemoveDatasetResponse(versions_removed=2, shards_deleted=7)
                conn.sendall(answer(request, E.ENVELOPE_KIND_RESPONSE, reply.SerializeToString()))
            elif request.method.endswith("/ImportDataset"):
                while True:
                    frame = read_frame(conn)
                    assert frame is not None
                    if frame.kind == E.ENVELOPE_KIND_END_OF_STREAM:
                        break
                version = metadata_pb2.DatasetVersion(dataset=common_pb2.DatasetRef(name="g", version=5),
                                                      state=metadata_pb2.VERSION_STATE_PUBLISHED)
                reply = gateway_pb2.ImportDatasetResponse(version=version)
                conn.sendall(answer(request, E.ENVELOPE_KIND_RESPONSE, reply.SerializeToString()))
            # returning closes the connection

        gateway = self.serve(script)
        path = self.hif_file()
        for _ in range(30):
            with anant_client.connect(gateway.address, "t", retry_seconds=0) as client:
                result = client.run("degree", "d")
                self.assertEqual(result.table.column("i").to_pylist(), list(range(40)))
                self.assertEqual((result.version, result["count"]), (2, 40))
            with anant_client.connect(gateway.address, "t", retry_seconds=0) as client:
                removed = client.remove_dataset("d")
                self.assertEqual((removed.versions_removed, removed.shards_deleted), (2, 7))
            with anant_client.connect(gateway.address, "t", retry_seconds=0) as client:
                imported = client.import_dataset(path, "g")
                self.assertEqual((imported.name, imported.version, imported.state), ("g", 5, "PUBLISHED"))
        self.assertEqual(len(connections), 90)

    def test_frames_delivered_before_a_close_are_read_after_it(self) -> None:
        # The wire itself: the caller starts reading only after the reader saw the close.
        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            items = b"".join(answer(request, E.ENVELOPE_KIND_STREAM_ITEM, b"x%d" % i) for i in range(10))
            conn.sendall(items + answer(request, E.ENVELOPE_KIND_END_OF_STREAM))

        gateway = self.serve(script)
        for _ in range(50):
            connection = Connection(gateway.address, "t")
            call = connection.start("anant.v1.Gateway/Run", b"", None)
            deadline = time.monotonic() + 5
            while connection.alive and time.monotonic() < deadline:
                time.sleep(0.001)
            self.assertFalse(connection.alive)  # the reader saw the gateway close
            self.assertEqual(list(call.stream()), [b"x%d" % i for i in range(10)])
            with self.assertRaises(AnantError):  # closed: no new call
                connection.start("anant.v1.Gateway/Run", b"", None)

    def test_an_answer_cut_by_the_close_fails_unavailable_and_retryable(self) -> None:
        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            conn.sendall(run_answer(request, 3)[:-10])  # the last frames never come

        with self.assertRaises(AnantError) as caught:
            self.connect(self.serve(script)).degree("d")
        self.assertEqual((caught.exception.code, caught.exception.retryable), ("UNAVAILABLE", True))

    def _closing_first(self, answer_with: Callable[[socket.socket, envelope_pb2.Envelope], None]) -> FakeGateway:
        """A gateway that closes its first connection once the request arrived, unanswered,
        and answers with ``answer_with`` on the next ones; ``seen`` holds every request."""
        lock = threading.Lock()

        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            with lock:
                gateway.seen.append(request)
                first = len(gateway.seen) == 1
            if not first:
                answer_with(conn, request)

        gateway = self.serve(script)
        return gateway

    def test_query_retries_a_gateway_that_closed_before_answering(self) -> None:
        gateway = self._closing_first(lambda conn, request: conn.sendall(query_answer(request, 3)))
        client = anant_client.connect(gateway.address, "t", retry_seconds=10)
        self.addCleanup(client.close)
        result = client.query("d", table="nodes")
        self.assertEqual(result.table.column("i").to_pylist(), [0, 1, 2])
        self.assertEqual(result.version, 3)
        self.assertEqual([r.method for r in gateway.seen], ["anant.v1.Gateway/Query"] * 2)
        self.assertEqual(gateway.seen[0].payload, gateway.seen[1].payload)  # the same query, from scratch

    def test_query_batches_retries_until_its_first_batch(self) -> None:
        gateway = self._closing_first(lambda conn, request: conn.sendall(query_answer(request, 3)))
        client = anant_client.connect(gateway.address, "t", retry_seconds=10)
        self.addCleanup(client.close)
        batches = list(client.query_batches("d", table="nodes"))
        self.assertEqual([b.column(0).to_pylist() for b in batches], [[0], [1], [2]])
        self.assertEqual(len(gateway.seen), 2)

    def test_query_batches_is_not_retried_once_a_batch_was_handed_out(self) -> None:
        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            gateway.seen.append(request)
            conn.sendall(query_answer(request, 2, end=False))  # then the connection closes

        gateway = self.serve(script)
        client = anant_client.connect(gateway.address, "t", retry_seconds=10)
        self.addCleanup(client.close)
        got = []
        with self.assertRaises(AnantError) as caught:
            for batch in client.query_batches("d"):
                got.append(batch.column(0).to_pylist())
        self.assertEqual((caught.exception.code, caught.exception.retryable), ("UNAVAILABLE", True))
        self.assertEqual(got, [[0], [1]])
        self.assertEqual(len(gateway.seen), 1)

    def test_other_calls_that_change_nothing_retry_too(self) -> None:
        def answer_with(conn: socket.socket, request: envelope_pb2.Envelope) -> None:
            if request.method.endswith("/Run"):
                conn.sendall(run_answer(request, 2))
            else:
                reply = gateway_pb2.ClusterStatusResponse(jobs_finished=4)
                conn.sendall(answer(request, E.ENVELOPE_KIND_RESPONSE, reply.SerializeToString()))

        for call in (lambda c: c.run("degree", "d").table.num_rows, lambda c: c.status().jobs_finished):
            gateway = self._closing_first(answer_with)
            with anant_client.connect(gateway.address, "t", retry_seconds=10) as client:
                self.assertIn(call(client), (2, 4))
            self.assertEqual(len(gateway.seen), 2)

    def test_an_import_is_not_retried(self) -> None:
        def answer_with(conn: socket.socket, request: envelope_pb2.Envelope) -> None:
            raise AssertionError("an import was sent again")

        gateway = self._closing_first(answer_with)
        client = anant_client.connect(gateway.address, "t", retry_seconds=10)
        self.addCleanup(client.close)
        with self.assertRaises(AnantError) as caught:
            client.import_dataset(self.hif_file(), "g")
        self.assertEqual(caught.exception.code, "UNAVAILABLE")
        time.sleep(0.2)
        self.assertEqual(len(gateway.seen), 1)

    def test_an_import_refused_early_then_closed_gives_the_refusal(self) -> None:
        # The gateway refuses after the header and closes with the upload unread (a reset):
        # the refusal is what the caller sees, whether it came before a send failed or after.
        def script(conn: socket.socket) -> None:
            request = read_frame(conn)
            assert request is not None
            status = envelope_pb2.Status(code=E.STATUS_CODE_PERMISSION_DENIED, message="a reader token cannot import")
            conn.sendall(answer(request, E.ENVELOPE_KIND_RESPONSE, status=status))

        gateway = self.serve(script)
        path = self.hif_file(24 << 20)
        for _ in range(10):
            with anant_client.connect(gateway.address, "t", retry_seconds=0) as client:
                with self.assertRaises(AnantError) as caught:
                    client.import_dataset(path, "g")
                self.assertEqual((caught.exception.code, caught.exception.message),
                                 ("PERMISSION_DENIED", "a reader token cannot import"))


class OperationTests(unittest.TestCase):
    def test_names_defaults_and_enums(self) -> None:
        op = build_operation("centrality", measure="node-edge", top=5)
        self.assertEqual(op.WhichOneof("kind"), "centrality")
        self.assertEqual(op.centrality.measure, gateway_pb2.CENTRALITY_MEASURE_NODE_EDGE)
        self.assertEqual((op.centrality.s, op.centrality.of, op.centrality.top), (1, gateway_pb2.VERTICES_EDGES, 5))
        self.assertFalse(build_operation("centrality", measure="katz").centrality.HasField("top"))
        self.assertEqual(build_operation("diameter").diameter.of, gateway_pb2.VERTICES_NODES)
        self.assertEqual(build_operation("edge_neighbors", edges="e1").edge_neighbors.edges, ["e1"])
        self.assertEqual(build_operation("restrict", to="edges", ids=[1, 2]).restriction.ids, ["1", "2"])
        distance = build_operation("distance", source="a", target="b").distance
        self.assertEqual((distance.from_id, distance.to_id), ("a", "b"))

    def test_partitions_and_joins(self) -> None:
        entries = build_operation("modularity", partition={"a": 1, "b": 2}).modularity.partition.entries
        self.assertEqual([(e.node, e.part) for e in entries], [("a", "1"), ("b", "2")])
        entries = build_operation("modularity", partition=[["a", "b"], ["c"]]).modularity.partition.entries
        self.assertEqual([(e.node, e.part) for e in entries], [("a", "0"), ("b", "0"), ("c", "1")])
        query = build_operation("query", table="nodes", join={"table": "meta:paper", "on": "node", "how": "left"},
                                where="weight > 1", limit=3).query
        self.assertEqual((query.table, query.filter, query.limit), (common_pb2.DATASET_TABLE_NODES, "weight > 1", 3))
        self.assertEqual((list(query.join.left_on), query.join.kind), (["node"], gateway_pb2.JOIN_KIND_LEFT))
        self.assertFalse(build_operation("query").query.HasField("limit"))

    def test_mistakes_are_refused(self) -> None:
        with self.assertRaises(TypeError):
            build_operation("degree", sigma=2)
        for name, params in (("nope", {}), ("centrality", {"measure": "pagerank"}), ("degree", {"s": "two"})):
            with self.assertRaises(AnantError) as caught:
                build_operation(name, **params)
            self.assertEqual(caught.exception.code, "INVALID_ARGUMENT")


if __name__ == "__main__":
    unittest.main()
