"""Datasets in the gateway's catalog: what it lists, the upload of an import and the
download of an export."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Dict, Iterator, List, Optional, Tuple

import pyarrow as pa
import pyarrow.parquet as pq

from ._proto.anant.v1 import common_pb2, gateway_pb2, metadata_pb2
from .errors import AnantError

__all__ = ["DatasetSummary", "DatasetVersion", "RemoveResult", "ExportedDataset", "upload_parts", "receive_export"]

#: Bytes per chunk of an upload (as the Swift client).
CHUNK_BYTES = 1 << 20
#: The extensions the gateway accepts for an upload.
UPLOAD_EXTENSIONS = (".json", ".csv", ".parquet")
TABLES = ("incidences", "nodes", "edges")


@dataclass(frozen=True)
class DatasetSummary:
    """A dataset of the catalog: its latest published version (0: none yet), its number
    of versions and its namespace."""

    name: str
    latest_version: int
    version_count: int
    namespace: str

    @classmethod
    def from_proto(cls, m: "metadata_pb2.DatasetSummary") -> "DatasetSummary":
        return cls(m.name, m.latest_version, m.version_count, m.namespace)


@dataclass(frozen=True)
class DatasetVersion:
    """One version of a dataset: its state ("PUBLISHED", "PENDING", "DELETING"), ISO 8601
    creation and publication times, and its manifest (counts, schemas, shards) as a dict."""

    name: str
    version: int
    state: str
    created: str
    published: str
    manifest: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_proto(cls, m: "metadata_pb2.DatasetVersion") -> "DatasetVersion":
        state = metadata_pb2.VersionState.Name(m.state).replace("VERSION_STATE_", "")
        manifest = json.loads(m.manifest_json) if m.manifest_json else {}
        return cls(m.dataset.name, m.dataset.version, state, m.created, m.published, manifest)

    @property
    def counts(self) -> Dict[str, int]:
        """The manifest's counts: ``{"nodes": ..., "edges": ..., "incidences": ...}``."""
        return dict(self.manifest.get("counts", {}))


@dataclass(frozen=True)
class RemoveResult:
    """What a removal did: versions removed from the catalog, shard files deleted."""

    versions_removed: int
    shards_deleted: int


@dataclass
class ExportedDataset:
    """A downloaded dataset version: the folder or file written and how to read it back.

    ``files`` maps each table ("incidences", "nodes", "edges") to the Parquet files that
    hold its rows, in order.
    """

    version: DatasetVersion
    path: str
    files: Dict[str, List[str]]

    def read_table(self, table: str = "incidences") -> pa.Table:
        """The rows of ``table`` ("incidences", "nodes" or "edges") as one Arrow table."""
        if table not in self.files:
            raise AnantError("NOT_FOUND", f"the export has no table {table!r} (it has {', '.join(self.files)})")
        parts = [pq.read_table(path) for path in self.files[table]]
        if not parts:
            raise AnantError("NOT_FOUND", f"the export's table {table!r} has no shard")
        return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


# MARK: Import


def upload_parts(path: str, name: str, compression: str, shards: int) -> Tuple["gateway_pb2.ImportHeader", Iterator[bytes]]:
    """The header of an import of ``path`` and the chunks to send after it: the file, then
    (for CSV and Parquet) its ``FILE.nodes.EXT`` and ``FILE.edges.EXT`` companions, then a
    CSV file's ``FILE.schema.json`` (column types and facts), each when present, as
    ``anant import --cluster`` sends them.

    Raises:
        AnantError: ``NOT_FOUND`` for a file that cannot be read, ``INVALID_ARGUMENT`` for
            an extension the gateway does not take.
    """
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise AnantError("NOT_FOUND", f"cannot read {path!r}: no such file")
    file_name = os.path.basename(path)
    lower = file_name.lower()
    extension = next((e for e in UPLOAD_EXTENSIONS if lower.endswith(e)), None)
    if extension is None:
        raise AnantError("INVALID_ARGUMENT", f"cannot import {file_name!r}: name it .json (HIF), .csv or .parquet")
    parts = [path]
    header = gateway_pb2.ImportHeader(name=name, file_name=file_name, file_bytes=os.path.getsize(path),
                                      compression=compression, shards=shards)
    if extension != ".json":
        stem = path[: -len(extension)]
        nodes, edges = stem + ".nodes" + extension, stem + ".edges" + extension
        if os.path.isfile(nodes):
            header.nodes_bytes = os.path.getsize(nodes)
            parts.append(nodes)
        if os.path.isfile(edges):
            header.edges_bytes = os.path.getsize(edges)
            parts.append(edges)
        schema = stem + ".schema.json"
        if extension == ".csv" and os.path.isfile(schema):
            header.schema_bytes = os.path.getsize(schema)
            parts.append(schema)
    return header, _chunks(parts)


def _chunks(paths: List[str]) -> Iterator[bytes]:
    for path in paths:
        with open(path, "rb") as handle:
            while True:
                chunk = handle.read(CHUNK_BYTES)
                if not chunk:
                    break
                yield chunk


# MARK: Export


def _inside(root: str, relative: str) -> str:
    """``relative`` under ``root``; refused (``DATA_LOSS``) when it would leave it."""
    parts = relative.split("/")
    if relative.startswith("/") or not parts or any(p in ("", ".", "..") for p in parts):
        raise AnantError("DATA_LOSS", f"the gateway sent the shard path {relative!r}, which is not inside a dataset")
    return os.path.join(root, *parts)


class _ShardWriter:
    """The shard being received: its file, size and SHA-256, checked when it ends."""

    def __init__(self, path: str, descriptor: Any) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.path = path
        self.descriptor = descriptor
        self.handle: BinaryIO = open(path, "wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)

    def finish(self) -> None:
        self.handle.close()
        d = self.descriptor
        if self.size != d.bytes or self.digest.hexdigest() != d.sha256.lower():
            raise AnantError("DATA_LOSS", f"the shard {d.path} arrived with {self.size} bytes and SHA-256 "
                                          f"{self.digest.hexdigest()}, not {d.bytes} bytes and {d.sha256}")


def _table_name(value: int) -> str:
    return common_pb2.DatasetTable.Name(value).replace("DATASET_TABLE_", "").lower()


def _receive_folder(items: Iterator[bytes], root: str) -> ExportedDataset:
    version: Optional[DatasetVersion] = None
    manifest_text = ""
    shard: Optional[_ShardWriter] = None
    files: Dict[str, List[str]] = {}
    try:
        for payload in items:
            item = gateway_pb2.ExportDatasetResponse.FromString(payload)
            part = item.WhichOneof("part")
            if part == "version":
                version = DatasetVersion.from_proto(item.version)
                manifest_text = item.version.manifest_json
            elif part == "shard":
                if shard is not None:
                    shard.finish()
                shard = _ShardWriter(_inside(root, item.shard.path), item.shard)
                files.setdefault(_table_name(item.shard.table), []).append(shard.path)
            elif part == "chunk":
                if shard is None:
                    raise AnantError("DATA_LOSS", "the gateway sent shard bytes before naming the shard")
                shard.write(item.chunk)
        if shard is not None:
            shard.finish()
            shard = None
    finally:
        if shard is not None:
            shard.handle.close()
    if version is None:
        raise AnantError("INTERNAL", "the gateway's export ended without naming the version")
    with open(os.path.join(root, "_manifest.json"), "w", encoding="utf-8") as handle:
        handle.write(manifest_text)
    return ExportedDataset(version, root, files)


def receive_export(items: Iterator[bytes], target: str) -> ExportedDataset:
    """Writes an ``ExportDataset`` stream into ``target``: a new or empty folder (a dataset
    folder), or a ``.parquet`` file with its ``.nodes.parquet`` and ``.edges.parquet``
    companions.

    Raises:
        AnantError: ``FAILED_PRECONDITION`` for a folder that is not empty, ``DATA_LOSS``
            for a shard whose bytes do not match its SHA-256 or whose path leaves the folder.
    """
    if target.lower().endswith(".parquet"):
        with tempfile.TemporaryDirectory(prefix="anant-export-") as scratch:
            exported = _receive_folder(items, os.path.join(scratch, "dataset"))
            stem = target[: -len(".parquet")]
            written: Dict[str, List[str]] = {}
            for table, path in (("incidences", target), ("nodes", stem + ".nodes.parquet"), ("edges", stem + ".edges.parquet")):
                if table in exported.files:
                    pq.write_table(exported.read_table(table), path, compression="zstd")
                    written[table] = [path]
            return ExportedDataset(exported.version, target, written)
    if os.path.exists(target):
        if not os.path.isdir(target) or os.listdir(target):
            raise AnantError("FAILED_PRECONDITION", f"{target} is not empty: export into a new folder (or a .parquet file)")
    try:
        os.makedirs(target, exist_ok=True)
        return _receive_folder(items, target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # a retry (or the caller) starts from nothing
        raise
