"""The client's wire against scripted fake gateways (no cluster): frames, pings, refused,
truncated and undecodable frames, deadlines, statuses; and building operations."""

from __future__ import annotations

import socket
import struct
import threading
import time
import unittest
from typing import Callable, List, Optional

import pyarrow as pa

import anant_client
from anant_client import AnantError
from anant_client._proto.anant.v1 import common_pb2, envelope_pb2, gateway_pb2
from anant_client._wire import encode_frame, parse_address
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
