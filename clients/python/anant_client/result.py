"""What an operation answers: named Arrow tables and named scalars, put back together from
the pieces the gateway streams them in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Union

import pyarrow as pa
import pyarrow.ipc

from ._proto.anant.v1 import common_pb2, gateway_pb2
from .errors import AnantError

if TYPE_CHECKING:  # polars is optional
    import polars

__all__ = ["Result", "Timings", "assemble_run", "read_ipc", "scalar_value"]


def read_ipc(data: bytes) -> pa.Table:
    """An Arrow IPC stream's batches as one table.

    Raises:
        AnantError: ``INTERNAL`` when the bytes are not an Arrow IPC stream.
    """
    try:
        return pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except (pa.ArrowInvalid, OSError) as error:
        raise AnantError("INTERNAL", f"the gateway's answer holds a table that is not an Arrow IPC stream: {error}") from None


def scalar_value(value: "common_pb2.ScalarValue") -> Any:
    """A wire scalar as a Python value: None, bool, int, float, str, or a JSON value
    (list or dict) for ``json_value``."""
    kind = value.WhichOneof("kind")
    if kind is None or kind == "null_value":
        return None
    if kind == "json_value":
        return json.loads(value.json_value)
    return getattr(value, kind)


class Timings:
    """Where a job's time went on the gateway, in seconds (from ``JobTimings``' nanoseconds).

    Attributes: ``total``, ``resolve``, ``plan``, ``fan_out``, ``merge``, ``load_wait``,
    ``encode``, ``forward`` (seconds) and ``tasks``, ``workers``, ``extra_attempts``
    (counts); ``proto`` is the wire message.
    """

    _COUNTS = ("tasks", "workers", "extra_attempts")

    def __init__(self, proto: "gateway_pb2.JobTimings") -> None:
        self.proto = proto
        for field in proto.DESCRIPTOR.fields:
            raw = getattr(proto, field.name)
            setattr(self, field.name, raw if field.name in self._COUNTS else raw / 1e9)

    def __repr__(self) -> str:
        parts = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.proto.DESCRIPTOR.fields)
        return f"Timings({parts})"


class Result:
    """An operation's answer: its tables (``pyarrow.Table``) and scalars, in the order the
    operation defines, and the dataset version it ran on.

    ``result.table`` is the main (first) table, ``result["name"]`` a table or scalar by
    name, ``result.to_polars()`` the main table as a polars DataFrame.
    """

    def __init__(self, tables: Dict[str, pa.Table], scalars: Dict[str, Any], dataset: str = "", version: int = 0,
                 timings: Optional[Timings] = None) -> None:
        self.tables = tables
        self.scalars = scalars
        self.dataset = dataset
        self.version = version
        self.timings = timings

    @property
    def table(self) -> pa.Table:
        """The main table (the first the operation answers).

        Raises:
            AnantError: ``NOT_FOUND`` when the answer has no table (only scalars).
        """
        for table in self.tables.values():
            return table
        raise AnantError("NOT_FOUND", f"the answer has no table (its scalars: {', '.join(self.scalars) or 'none'})")

    def __getitem__(self, name: str) -> Union[pa.Table, Any]:
        """The table called ``name``, else the scalar called ``name``.

        Raises:
            KeyError: when the answer has neither.
        """
        if name in self.tables:
            return self.tables[name]
        if name in self.scalars:
            return self.scalars[name]
        raise KeyError(f"{name!r}: the answer has the tables {list(self.tables)} and the scalars {list(self.scalars)}")

    def __contains__(self, name: object) -> bool:
        return name in self.tables or name in self.scalars

    def to_polars(self, name: Optional[str] = None) -> "polars.DataFrame":
        """The main table (or the table ``name``) as a polars DataFrame (needs polars)."""
        try:
            import polars as pl
        except ImportError:
            raise ImportError("to_polars() needs polars: pip install 'anant_client[polars]'") from None
        table = self.table if name is None else self.tables[name]
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame

    def to_pydict(self, name: Optional[str] = None) -> Dict[str, List[Any]]:
        """The main table (or the table ``name``) as ``{column: [values]}``."""
        return (self.table if name is None else self.tables[name]).to_pydict()

    def __repr__(self) -> str:
        tables = ", ".join(f"{n}: {t.num_rows} rows × {t.num_columns} columns" for n, t in self.tables.items())
        return f"Result({self.dataset}@{self.version}; tables [{tables}]; scalars {self.scalars!r})"


def assemble_run(responses: Iterable[bytes]) -> Result:
    """The result streamed as ``RunResponse`` items, as the Swift client assembles it: the
    first item names the version and carries the scalars, the next ones pieces of the
    tables (a table's rows continuing over several, every piece of one schema, appended in
    order), the last the timings.

    Raises:
        AnantError: ``INTERNAL`` for an answer that ended early or whose pieces do not fit
            together.
    """
    dataset, version, timings = "", 0, None
    tables: Dict[str, List[pa.Table]] = {}
    scalars: Dict[str, Any] = {}
    pieces = 0
    for payload in responses:
        item = gateway_pb2.RunResponse.FromString(payload)
        if item.HasField("dataset"):
            dataset, version = item.dataset.name, item.dataset.version
        if item.HasField("result"):
            if pieces > 0 and len(item.result.scalars) > 0:
                raise AnantError("INTERNAL", f"piece {pieces} of the answer carries scalars; only the first may")
            for scalar in item.result.scalars:
                scalars[scalar.name] = scalar_value(scalar.value)
            for named in item.result.tables:
                table = read_ipc(named.table.arrow_ipc)
                earlier = tables.setdefault(named.name, [])
                if earlier and not earlier[0].schema.equals(table.schema):
                    raise AnantError("INTERNAL", f"piece {pieces} of the answer's table {named.name} has the schema "
                                                 f"{table.schema}, not {earlier[0].schema}")
                earlier.append(table)
            pieces += 1
        if item.HasField("timings"):
            timings = Timings(item.timings)
    if timings is None or version == 0 or pieces == 0:
        missing = "result" if pieces == 0 else "timings" if timings is None else "dataset version"
        raise AnantError("INTERNAL", f"the gateway's answer ended early (no {missing})")
    merged = {name: parts[0] if len(parts) == 1 else pa.concat_tables(parts) for name, parts in tables.items()}
    return Result(merged, scalars, dataset, version, timings)
