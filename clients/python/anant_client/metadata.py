"""The entity metadata store through the gateway: typed records per kind, with schemas that
evolve, atomic batches, reads as of any store version or time, queries and history.

Reads need a reader token, writes (schemas, batches, indexes) a writer token.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._proto.anant.v1 import metadata_pb2 as m
from .errors import AnantError

if TYPE_CHECKING:
    from .client import Client

__all__ = ["EntityMetadata", "Record", "HistoryEntry"]

_READ_TIMEOUT = 60.0
When = Union[None, int, float, datetime.datetime]


@dataclass(frozen=True)
class Record:
    """A record as read: its key, the store version that wrote it, and its values through
    the kind's current schema (field name → value, in schema order)."""

    key: str
    version: int
    values: Dict[str, Any]


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a record: the store version and its ISO 8601 time, whether it was a
    deletion, and the values written (empty for a deletion)."""

    version: int
    time: str
    deleted: bool
    values: Dict[str, Any]


def _record(r: "m.EntityRecord") -> Record:
    return Record(r.key, r.version, json.loads(r.values_json) if r.values_json else {})


def _as_of(as_of: Optional[int], at: When) -> Optional["m.AsOf"]:
    if as_of is not None and at is not None:
        raise AnantError("INVALID_ARGUMENT", "give as_of (a store version) or at (a time), not both")
    if as_of is not None:
        return m.AsOf(store_version=as_of)
    if at is None:
        return None
    seconds = at.timestamp() if isinstance(at, datetime.datetime) else float(at)
    return m.AsOf(unix_nanos=max(0, int(seconds * 1e9)))


def _field(spec: Union[Mapping[str, Any], "m.SchemaField"]) -> "m.SchemaField":
    if isinstance(spec, m.SchemaField):
        return spec
    spec = dict(spec)
    type_name = str(spec.get("type", "")).upper()
    if "FIELD_TYPE_" + type_name not in m.FieldType.keys() or not type_name or type_name == "UNSPECIFIED":
        names = ", ".join(k[len("FIELD_TYPE_"):].lower() for k in m.FieldType.keys() if not k.endswith("UNSPECIFIED"))
        raise AnantError("INVALID_ARGUMENT", f"the field {spec.get('name')!r} has the type {spec.get('type')!r}: one of {names}")
    field = m.SchemaField(name=str(spec["name"]), type=m.FieldType.Value("FIELD_TYPE_" + type_name),
                          required=bool(spec.get("required", False)), aliases=list(spec.get("aliases", ())),
                          deprecated=bool(spec.get("deprecated", False)))
    if "default" in spec:
        field.default_json = json.dumps(spec["default"])
    return field


def schema_dict(schema: "m.RecordSchema") -> Dict[str, Any]:
    """A schema as ``anant meta schema`` prints it: kind, version, store_version, fields."""
    fields = []
    for f in schema.fields:
        out: Dict[str, Any] = {"id": f.id, "name": f.name, "type": m.FieldType.Name(f.type)[len("FIELD_TYPE_"):].lower(),
                               "required": f.required}
        if f.HasField("default_json"):
            out["default"] = json.loads(f.default_json)
        if f.aliases:
            out["aliases"] = list(f.aliases)
        if f.deprecated:
            out["deprecated"] = True
        fields.append(out)
    return {"kind": schema.kind, "version": schema.version, "store_version": schema.store_version, "fields": fields}


class EntityMetadata:
    """The entity metadata store, as ``client.meta``."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def _call(self, method: str, request: Any, response: Any, write: bool, timeout: Optional[float]) -> Any:
        return self._client._unary(method, request, response, timeout=_READ_TIMEOUT if timeout is None else timeout,
                                   default=_READ_TIMEOUT, idempotent=not write)

    # MARK: Schemas

    def register_schema(self, kind: str, fields: Sequence[Union[Mapping[str, Any], "m.SchemaField"]], *,
                        timeout: Optional[float] = None) -> Dict[str, Any]:
        """Registers the next version of ``kind``'s schema; the registered schema.

        Args:
            fields: each ``{"name": "year", "type": "int32", "required": False,
                "default": 2000, "aliases": ["yr"], "deprecated": False}``; types bool,
                int32, int64, float, double, string, json, timestamp.

        Raises:
            AnantError: ``FAILED_PRECONDITION`` naming the evolution rule a change breaks.
        """
        request = m.RegisterSchemaRequest(schema=m.RecordSchema(kind=kind, fields=[_field(f) for f in fields]))
        return schema_dict(self._call("RegisterSchema", request, m.RegisterSchemaResponse, True, timeout).schema)

    def schema(self, kind: str, version: int = 0, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """``kind``'s schema, the current one or ``version``."""
        request = m.GetSchemaRequest(kind=kind, version=version)
        return schema_dict(self._call("GetSchema", request, m.GetSchemaResponse, False, timeout).schema)

    def create_index(self, kind: str, field: str, *, timeout: Optional[float] = None) -> None:
        """Declares a secondary index on ``field`` of ``kind``."""
        self._call("CreateIndex", m.CreateIndexRequest(kind=kind, field=field), m.CreateIndexResponse, True, timeout)

    # MARK: Writes

    def apply(self, kind: str, upserts: Optional[Mapping[str, Mapping[str, Any]]] = None, deletes: Iterable[str] = (), *,
              timeout: Optional[float] = None) -> int:
        """Upserts and deletes records of ``kind`` atomically, as one new store version.

        Args:
            upserts: record key → values (field names or aliases → JSON values).
            deletes: keys of records to delete (which must exist).

        Returns:
            The store version the batch made.
        """
        changes = [m.RecordChange(key=str(key), upsert_json=json.dumps(dict(values))) for key, values in (upserts or {}).items()]
        changes += [m.RecordChange(key=str(key), delete=True) for key in deletes]
        answer = self._call("ApplyBatch", m.ApplyBatchRequest(kind=kind, changes=changes), m.ApplyBatchResponse, True, timeout)
        return int(answer.store_version)

    def put(self, kind: str, records: Union[Mapping[str, Mapping[str, Any]], Iterable[Mapping[str, Any]]], *,
            timeout: Optional[float] = None) -> int:
        """Upserts records, one batch: ``{key: {field: value}}``, or rows with a ``"key"``
        (as the JSON lines of ``anant meta put``). Returns the new store version."""
        if isinstance(records, Mapping):
            upserts = {str(k): v for k, v in records.items()}
        else:
            upserts = {}
            for row in records:
                row = dict(row)
                if "key" not in row:
                    raise AnantError("INVALID_ARGUMENT", f"a record row needs a \"key\": {row!r}")
                upserts[str(row.pop("key"))] = row
        return self.apply(kind, upserts, timeout=timeout)

    def delete(self, kind: str, keys: Union[str, Iterable[str]], *, timeout: Optional[float] = None) -> int:
        """Deletes records (which must exist), one batch; the new store version."""
        return self.apply(kind, None, [keys] if isinstance(keys, str) else keys, timeout=timeout)

    # MARK: Reads

    def get_many(self, kind: str, keys: Iterable[str], *, as_of: Optional[int] = None, at: When = None,
                 timeout: Optional[float] = None) -> Dict[str, Record]:
        """The records of ``keys`` that exist (now, as of store version ``as_of``, or as of
        the time ``at``: a datetime or Unix seconds), by key."""
        request = m.GetRecordsRequest(kind=kind, keys=list(keys))
        point = _as_of(as_of, at)
        if point is not None:
            request.as_of.CopyFrom(point)
        answer = self._call("GetRecords", request, m.GetRecordsResponse, False, timeout)
        return {r.key: _record(r) for r in answer.records}

    def get(self, kind: str, key: str, *, as_of: Optional[int] = None, at: When = None,
            timeout: Optional[float] = None) -> Optional[Record]:
        """The record ``key`` (None when it does not exist at that point)."""
        return self.get_many(kind, [key], as_of=as_of, at=at, timeout=timeout).get(key)

    def query(self, kind: str, filter: str = "", *, order_by: Union[str, Sequence[str]] = (), limit: Optional[int] = None,
              fields: Sequence[str] = (), as_of: Optional[int] = None, at: When = None,
              timeout: Optional[float] = None) -> List[Record]:
        """The records passing ``filter`` (AnantQuery text: ``"year >= 2000 and
        starts_with(title, 'A')"``; empty: every record).

        Args:
            order_by: ``"year desc, title"`` or ``["year desc", "title"]``; then by key,
                nulls last.
            limit: at most this many records.
            fields: only these fields.
        """
        request = self._query_request(kind, filter, order_by, limit, fields, as_of, at)
        return [_record(r) for r in self._call("QueryRecords", request, m.QueryRecordsResponse, False, timeout).records]

    def explain(self, kind: str, filter: str = "", *, order_by: Union[str, Sequence[str]] = (),
                limit: Optional[int] = None, timeout: Optional[float] = None) -> str:
        """The plan of a query (the index it uses) instead of its records."""
        request = self._query_request(kind, filter, order_by, limit, (), None, None)
        request.explain = True
        return str(self._call("QueryRecords", request, m.QueryRecordsResponse, False, timeout).plan)

    @staticmethod
    def _query_request(kind: str, filter: str, order_by: Union[str, Sequence[str]], limit: Optional[int],
                       fields: Sequence[str], as_of: Optional[int], at: When) -> "m.QueryRecordsRequest":
        request = m.QueryRecordsRequest(kind=kind, filter=filter, fields=[fields] if isinstance(fields, str) else list(fields))
        keys = [k.strip() for k in order_by.split(",")] if isinstance(order_by, str) else list(order_by)
        for key in filter_empty(keys):
            name, _, direction = key.partition(" ")
            if direction.strip().lower() not in ("", "asc", "desc"):
                raise AnantError("INVALID_ARGUMENT", f"order by {key!r}: FIELD [asc|desc]")
            request.order.append(m.OrderBy(field=name, descending=direction.strip().lower() == "desc"))
        if limit is not None:
            request.limit = limit
        point = _as_of(as_of, at)
        if point is not None:
            request.as_of.CopyFrom(point)
        return request

    def history(self, kind: str, key: str, *, timeout: Optional[float] = None) -> List[HistoryEntry]:
        """Every upsert and deletion of the record ``key``, oldest first."""
        answer = self._call("GetRecordHistory", m.GetRecordHistoryRequest(kind=kind, key=key), m.GetRecordHistoryResponse,
                            False, timeout)
        return [HistoryEntry(e.version, e.time, e.deleted, json.loads(e.values_json) if e.values_json else {})
                for e in answer.entries]


def filter_empty(keys: Iterable[str]) -> List[str]:
    """The non-empty keys, stripped."""
    return [k.strip() for k in keys if k.strip()]
