"""The gateway client: operations, queries, datasets and entity metadata over one connection."""

from __future__ import annotations

import os
import random
import ssl
import threading
import time
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, TypeVar, Union

import pyarrow as pa

from ._proto.anant.v1 import gateway_pb2, metadata_pb2
from ._wire import DEFAULT_MAX_FRAME_BYTES, Call, Connection
from .datasets import DatasetSummary, DatasetVersion, ExportedDataset, RemoveResult, receive_export, upload_parts
from .errors import AnantError
from .metadata import EntityMetadata
from .operations import build_operation
from .result import Result, assemble_run, read_ipc

__all__ = ["Client", "connect"]

_PREFIX = "anant.v1.Gateway/"
T = TypeVar("T")
_DEFAULT: Any = object()  # "the method's own default timeout"
PathLike = Union[str, "os.PathLike[str]"]


def connect(address: str, token: Optional[str] = None, *, token_file: Optional[PathLike] = None,
            timeout: Optional[float] = None, retry_seconds: float = 15.0,
            max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES, tls: Optional[ssl.SSLContext] = None) -> "Client":
    """A client of the gateway at ``address`` (``"HOST:PORT"``) presenting ``token``.

    Args:
        address: the gateway's RPC address, as ``cluster.json``'s ``gateway``.
        token: the bearer token; or ``token_file``, a file holding it (``admin.token``);
            without either, the ``ANANT_TOKEN`` environment variable.
        timeout: the default deadline of operations, queries, imports and exports, in
            seconds (None: none); every method also takes ``timeout=``.
        retry_seconds: how long calls that change nothing keep retrying a gateway that is
            unreachable (a restart), as the Swift client does.
        max_frame_bytes: the largest frame accepted (a larger one fails the call).
        tls: an ``ssl.SSLContext`` for a gateway that serves TLS.

    The connection opens on the first call, so a wrong address or token shows there:
    ``UNAVAILABLE`` and ``UNAUTHENTICATED`` respectively.
    """
    if token is None and token_file is not None:
        with open(token_file, encoding="utf-8") as handle:
            token = handle.read().strip()
    if token is None:
        token = os.environ.get("ANANT_TOKEN", "")
    return Client(address, token, timeout=timeout, retry_seconds=retry_seconds, max_frame_bytes=max_frame_bytes, tls=tls)


class Client:
    """A connection to an Anant cluster's gateway (see :func:`connect`).

    Thread-safe: calls from several threads share one socket, multiplexed by request id.
    Use it as a context manager, or call :meth:`close`. Every failure raises
    :class:`~anant_client.AnantError` with the gateway's status code.
    """

    def __init__(self, address: str, token: str, *, timeout: Optional[float] = None, retry_seconds: float = 15.0,
                 max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES, tls: Optional[ssl.SSLContext] = None) -> None:
        self.address = address
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._token = token
        self._max_frame_bytes = max_frame_bytes
        self._tls = tls
        self._lock = threading.Lock()
        self._connection: Optional[Connection] = None
        self._closed = False
        #: The entity metadata store (schemas, records, history), through the gateway.
        self.meta = EntityMetadata(self)

    # MARK: Lifecycle

    def close(self) -> None:
        """Closes the connection; the client can no longer be used."""
        with self._lock:
            self._closed = True
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.address!r})"

    def _open(self) -> Connection:
        with self._lock:
            if self._closed:
                raise AnantError("FAILED_PRECONDITION", "the client is closed")
            if self._connection is None or not self._connection.alive:
                self._connection = Connection(self.address, self._token, max_frame_bytes=self._max_frame_bytes, tls=self._tls)
            return self._connection

    def _deadline(self, timeout: Optional[float], default: Optional[float]) -> Optional[float]:
        seconds = (self.timeout if default is _DEFAULT else default) if timeout is _DEFAULT else timeout
        return None if seconds is None else time.time() + seconds

    def _start(self, method: str, payload: bytes, deadline: Optional[float]) -> Call:
        return self._open().start(_PREFIX + method, payload, deadline)

    def _retrying(self, body: Callable[[], T]) -> T:
        """Runs ``body`` again while it fails with a retryable ``UNAVAILABLE`` (the gateway
        unreachable), backing off from 50 ms to 1 s, for up to ``retry_seconds``."""
        end, pause = time.monotonic() + self.retry_seconds, 0.05
        while True:
            try:
                return body()
            except AnantError as error:
                if error.code != "UNAVAILABLE" or not error.retryable or self._closed or time.monotonic() + pause > end:
                    raise
            time.sleep(pause * (0.5 + random.random() / 2))
            pause = min(pause * 2, 1.0)

    def _unary(self, method: str, request: Any, response_type: Callable[[], T], *, timeout: Any, default: Optional[float],
               idempotent: bool) -> T:
        payload = request.SerializeToString()

        def once() -> T:
            answer = self._start(method, payload, self._deadline(timeout, default)).unary()
            message = response_type()
            message.ParseFromString(answer)  # type: ignore[attr-defined]
            return message

        return self._retrying(once) if idempotent else once()

    # MARK: Operations

    def run(self, operation: Union[str, "gateway_pb2.Operation"], dataset: str, *, version: int = 0, parts: int = 0,
            timeout: Optional[float] = _DEFAULT, **params: Any) -> Result:
        """Runs an operation on a dataset version through the gateway.

        Args:
            operation: the operation's name as the command line spells it (``"degree"``,
                ``"centrality"``, ``"edge-neighbors"``...), or an ``Operation`` message.
            dataset: the dataset's name in the catalog.
            version: its version; 0 (the default) is the latest published one.
            parts: at most this many tasks (0: the gateway chooses); the answer is the
                same for any split.
            timeout: the call's deadline in seconds (default: the client's).
            params: the operation's fields (see :mod:`anant_client.operations`), e.g.
                ``s=2``, ``of="nodes"``, ``measure="betweenness"``, ``top=5``.

        Returns:
            The :class:`Result`: tables as ``pyarrow.Table``, scalars, the version run on.
        """
        if isinstance(operation, str):
            message = build_operation(operation, **params)
        else:
            if params:
                raise TypeError("give parameters inside the Operation message, or name the operation")
            message = operation
        request = gateway_pb2.RunRequest(operation=message, parts=parts)
        request.dataset.name, request.dataset.version = dataset, version
        payload = request.SerializeToString()
        return self._retrying(lambda: assemble_run(self._start("Run", payload, self._deadline(timeout, _DEFAULT)).stream()))

    def info(self, dataset: str, *, node: Optional[str] = None, edge: Optional[str] = None, **options: Any) -> Result:
        """The hypergraph's counts, aspect ratio and density; or one node's edges, degree
        and neighbours; or one edge's size and nodes."""
        return self.run("info", dataset, node=node, edge=edge, **options)

    def degree(self, dataset: str, *, s: int = 1, max_size: Optional[int] = None, nodes: Sequence[str] = (),
               **options: Any) -> Result:
        """Node degrees counting edges of size ``s`` to ``max_size`` (all nodes, or ``nodes``)."""
        return self.run("degree", dataset, s=s, max_size=max_size, nodes=nodes, **options)

    def neighbors(self, dataset: str, nodes: Union[str, Sequence[str]], *, s: int = 1, **options: Any) -> Result:
        """The nodes sharing at least ``s`` edges with each of ``nodes``."""
        return self.run("neighbors", dataset, s=s, nodes=nodes, **options)

    def edge_neighbors(self, dataset: str, edges: Union[str, Sequence[str]], *, s: int = 1, **options: Any) -> Result:
        """The edges sharing at least ``s`` nodes with each of ``edges``."""
        return self.run("edge-neighbors", dataset, s=s, edges=edges, **options)

    def components(self, dataset: str, *, s: int = 1, of: str = "edges", singletons: bool = False, **options: Any) -> Result:
        """The s-connected components of the edge (or, ``of="nodes"``, node) s-line graph;
        one-element components only with ``singletons``."""
        return self.run("components", dataset, s=s, of=of, singletons=singletons, **options)

    def line_graph(self, dataset: str, *, s: int = 1, of: str = "edges", **options: Any) -> Result:
        """The s-adjacent pairs of edges (or nodes) with their overlaps."""
        return self.run("line-graph", dataset, s=s, of=of, **options)

    def distance(self, dataset: str, source: str, target: str, *, s: int = 1, of: str = "nodes", **options: Any) -> Result:
        """The s-distance between two nodes (or edges); its scalar is None when no s-walk
        joins them."""
        return self.run("distance", dataset, s=s, of=of, from_id=source, to_id=target, **options)

    def diameter(self, dataset: str, *, s: int = 1, of: str = "nodes", per_component: bool = False, **options: Any) -> Result:
        """The s-diameter, or with ``per_component`` the diameter of every s-component."""
        return self.run("diameter", dataset, s=s, of=of, per_component=per_component, **options)

    def centrality(self, dataset: str, measure: str = "betweenness", *, s: int = 1, of: str = "edges", raw: bool = False,
                   normalized: bool = False, without_singletons: bool = False, top: Optional[int] = None,
                   per_component: bool = False, approx: bool = False, epsilon: float = 0.01, delta: float = 0.1,
                   seed: int = 1, **options: Any) -> Result:
        """A centrality of every edge (or node), best first; the ``top`` best when given.

        ``measure``: betweenness, closeness, harmonic, eccentricity (HyperNetX's
        s-measures), cec, hec, zec, katz, node-edge, clustering (XGI's node measures).
        ``per_component``: eccentricity within each s-component, when the s-line graph is
        not connected. ``approx``: betweenness, closeness or harmonic estimated from
        samples (``seed``), within ``epsilon`` with probability at least 1 - ``delta``
        (the bounds of ``anant centrality --approx``); the result's scalars name the
        sample count.
        """
        approximation = gateway_pb2.Approximation(epsilon=epsilon, delta=delta, seed=seed) if approx else None
        return self.run("centrality", dataset, measure=measure, s=s, of=of, raw=raw, normalized=normalized,
                        without_singletons=without_singletons, top=top, per_component=per_component,
                        approximation=approximation, **options)

    def toplexes(self, dataset: str, **options: Any) -> Result:
        """The edges contained in no other edge."""
        return self.run("toplexes", dataset, **options)

    def singletons(self, dataset: str, **options: Any) -> Result:
        """The edges of one node that lies in no other edge."""
        return self.run("singletons", dataset, **options)

    def collapse(self, dataset: str, *, of: str = "edges", use_counts: bool = False, **options: Any) -> Result:
        """The classes of duplicate edges (or nodes) and the collapsed hypergraph."""
        return self.run("collapse", dataset, of=of, use_counts=use_counts, **options)

    def dual(self, dataset: str, **options: Any) -> Result:
        """The dual hypergraph: edges become nodes and nodes edges."""
        return self.run("dual", dataset, **options)

    def restrict(self, dataset: str, ids: Sequence[str], *, to: str = "nodes", **options: Any) -> Result:
        """The sub-hypergraph on the given nodes (edges shrink) or, ``to="edges"``, edges."""
        return self.run("restrict", dataset, to=to, ids=ids, **options)

    def modularity(self, dataset: str, partition: Any, *, weighting: str = "linear", **options: Any) -> Result:
        """Hypergraph modularity of ``partition`` (``{node: part}``, ``[(node, part)]`` or
        ``[[nodes], ...]``) and each part's conductance."""
        return self.run("modularity", dataset, partition=partition, weighting=weighting, **options)

    def communities(self, dataset: str, *, method: str = "kumar", partition: Any = None, weighting: str = "linear",
                    delta: float = 0.01, seed: int = 0, **options: Any) -> Result:
        """Communities: Kumar's clustering, or ``method="last-step"`` refinement of
        ``partition`` (of Kumar's result when None)."""
        return self.run("communities", dataset, method=method, partition=partition, weighting=weighting, delta=delta,
                        seed=seed, **options)

    def report(self, dataset: str, *, top: int = 10, metrics: bool = False, source: str = "", **options: Any) -> Result:
        """The summary of ``anant report``; with ``metrics`` every node's and edge's metrics."""
        return self.run("report", dataset, top=top, metrics=metrics, source=source, **options)

    # MARK: Queries

    def query(self, dataset: str, *, version: int = 0, timeout: Optional[float] = _DEFAULT, **spec: Any) -> Result:
        """A columnar query's rows as one table (``result.table``, ``result.to_polars()``).

        Args:
            dataset: the dataset's name; ``version`` 0 is the latest.
            spec: the ``QuerySpec`` fields: ``table`` ("incidences", "nodes", "edges"),
                ``metrics``, ``join`` (``{"table": "nodes", "on": "node", "how": "left"}``,
                or ``"meta:KIND"`` as table), ``computed`` (``"EXPR as NAME"``), ``filter``
                (or ``where``), ``group_by``, ``aggregations``, ``select``, ``sort``,
                ``limit``.
        """
        def once() -> Result:
            version_run, tables = 0, []
            for item in self._query_items(dataset, version, timeout, spec):
                if item.HasField("dataset"):
                    version_run = item.dataset.version
                tables.append(read_ipc(item.batch.arrow_ipc))
            if not tables:
                raise AnantError("INTERNAL", "the gateway's answer to the query holds no rows table")
            return Result({"rows": pa.concat_tables(tables) if len(tables) > 1 else tables[0]}, {}, dataset, version_run, None)

        return self._retrying(once)  # nothing is handed out before the answer is whole: it may start again

    def query_batches(self, dataset: str, *, version: int = 0, timeout: Optional[float] = _DEFAULT,
                      **spec: Any) -> Iterator[pa.RecordBatch]:
        """A query's rows as ``pyarrow.RecordBatch``es, as they arrive. An unreachable
        gateway is retried (as :meth:`query`) until the first batch is handed out, not after;
        closing the iterator early cancels the query on the gateway."""
        def batches() -> Iterator[pa.RecordBatch]:
            for item in self._query_items(dataset, version, timeout, spec):
                yield from read_ipc(item.batch.arrow_ipc).to_batches()

        def first() -> Tuple[Iterator[pa.RecordBatch], Optional[pa.RecordBatch]]:
            started = batches()
            try:
                return started, next(started, None)
            except BaseException:
                started.close()
                raise

        rest, batch = self._retrying(first)
        try:
            if batch is not None:
                yield batch
                yield from rest
        finally:
            rest.close()

    def _query_items(self, dataset: str, version: int, timeout: Any, spec: Any) -> Iterator["gateway_pb2.QueryResponse"]:
        request = gateway_pb2.RunRequest(operation=build_operation("query", **spec))
        request.dataset.name, request.dataset.version = dataset, version
        call = self._start("Query", request.SerializeToString(), self._deadline(timeout, _DEFAULT))
        items = call.stream()
        try:
            for payload in items:
                yield gateway_pb2.QueryResponse.FromString(payload)
        finally:
            items.close()

    # MARK: Datasets

    def import_dataset(self, path: PathLike, name: str, *, compression: str = "", shards: int = 0,
                       timeout: Optional[float] = _DEFAULT) -> DatasetVersion:
        """Uploads a hypergraph file as a new version of the dataset ``name`` (created when
        new), as ``anant import FILE NAME --cluster`` does; needs a writer token.

        Args:
            path: a HIF JSON file (``.json``), or a CSV or Parquet incidence table
                (``.csv``, ``.parquet``) whose ``FILE.nodes.EXT`` and ``FILE.edges.EXT``
                companions, when present, are sent with it.
            compression: the shards' Parquet codec ("zstd", "snappy", "none"...); empty: zstd.
            shards: shards per table; 0: one per two million incidences.

        Returns:
            The published version.
        """
        header, parts = upload_parts(os.fspath(path), name, compression, shards)
        request = gateway_pb2.ImportDatasetRequest(header=header)
        call = self._start("ImportDataset", request.SerializeToString(), self._deadline(timeout, _DEFAULT))
        try:
            try:
                for chunk in parts:
                    early = call.next_frame(block=False)  # the gateway may refuse before the end
                    if early is not None:
                        return _imported(call, early)
                    call.send_item(gateway_pb2.ImportDatasetRequest(chunk=chunk).SerializeToString())
                call.end_stream()
            except AnantError as error:
                if error.code != "UNAVAILABLE" or call.done:
                    raise
                # Sending failed: the gateway may have answered, then closed the connection. Its
                # answer is still delivered (else the close's error is raised). Not retried: an
                # import changes the catalog.
                return _imported(call, call.next_frame())
            return DatasetVersion.from_proto(gateway_pb2.ImportDatasetResponse.FromString(call.unary()).version)
        finally:
            call.finish()

    def export_dataset(self, name: str, destination: PathLike, *, version: int = 0,
                       timeout: Optional[float] = _DEFAULT) -> ExportedDataset:
        """Downloads a dataset version (0: the latest) into ``destination``.

        ``destination`` is a new or empty folder, which becomes a dataset folder (its
        Parquet shards and ``_manifest.json``, every shard checked against its SHA-256;
        pyarrow, polars and ``anant`` read it); or a ``.parquet`` file, written as
        ``anant export`` writes one: the incidence table, with its ``FILE.nodes.parquet``
        and ``FILE.edges.parquet`` companions.
        """
        request = gateway_pb2.ExportDatasetRequest()
        request.dataset.name, request.dataset.version = name, version
        payload = request.SerializeToString()
        target = os.fspath(destination)

        def once() -> ExportedDataset:
            return receive_export(self._start("ExportDataset", payload, self._deadline(timeout, _DEFAULT)).stream(), target)

        return self._retrying(once)

    def datasets(self, namespace: str = "", *, timeout: Optional[float] = _DEFAULT) -> List[DatasetSummary]:
        """The datasets the token may see (of one namespace when given), by name."""
        answer = self._unary("ListDatasets", metadata_pb2.ListDatasetsRequest(namespace=namespace),
                             metadata_pb2.ListDatasetsResponse, timeout=timeout, default=30, idempotent=True)
        return [DatasetSummary.from_proto(d) for d in answer.datasets]

    def versions(self, name: str, *, timeout: Optional[float] = _DEFAULT) -> List[DatasetVersion]:
        """The versions of the dataset ``name``, oldest first (pending ones included)."""
        answer = self._unary("ListVersions", metadata_pb2.ListVersionsRequest(dataset=name),
                             metadata_pb2.ListVersionsResponse, timeout=timeout, default=30, idempotent=True)
        return [DatasetVersion.from_proto(v) for v in answer.versions]

    def remove_dataset(self, name: str, version: int = 0, *, timeout: Optional[float] = _DEFAULT) -> RemoveResult:
        """Removes one version of the dataset ``name``, or every version with 0 (writer token)."""
        request = gateway_pb2.RemoveDatasetRequest()
        request.dataset.name, request.dataset.version = name, version
        answer = self._unary("RemoveDataset", request, gateway_pb2.RemoveDatasetResponse, timeout=timeout, default=60,
                             idempotent=False)
        return RemoveResult(answer.versions_removed, answer.shards_deleted)

    def status(self, *, timeout: Optional[float] = _DEFAULT) -> "gateway_pb2.ClusterStatusResponse":
        """The cluster as the gateway sees it: workers, datasets, running jobs."""
        return self._unary("ClusterStatus", gateway_pb2.ClusterStatusRequest(), gateway_pb2.ClusterStatusResponse,
                           timeout=timeout, default=10, idempotent=True)


def _imported(call: Call, early: Any) -> DatasetVersion:
    """The answer to an import that arrived before the upload ended (a refusal)."""
    if early.WhichOneof("body") == "status" and early.status.code != 0:
        call.done = True
        raise AnantError.from_status(early.status)
    call.done = True
    return DatasetVersion.from_proto(gateway_pb2.ImportDatasetResponse.FromString(early.payload).version)
