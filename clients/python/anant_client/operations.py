"""Building the gateway's ``Operation`` message from an operation name and keyword arguments.

Every case of ``Operation`` in ``proto/anant/v1/gateway.proto`` is reachable by its name as
the command line spells it (``"degree"``, ``"edge-neighbors"``, ``"line-graph"``,
``"restrict"``, ``"query"``...) with its fields as keyword arguments. Values are converted
the Pythonic way: enums from their short names (``of="nodes"``,
``measure="betweenness"``, ``weighting="strict"``), partitions from a ``{node: part}``
mapping, a join from a mapping, repeated fields from a string or any iterable. Parameters
the command line defaults are defaulted the same way (``s=1``, ``of="edges"`` for
centrality, components and line graphs, ``of="nodes"`` for distances and diameters...).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from google.protobuf.descriptor import FieldDescriptor

from ._proto.anant.v1 import gateway_pb2
from .errors import AnantError

__all__ = ["build_operation", "OPERATIONS", "operation_name"]

#: Operation names (as the command line spells them) → the ``Operation`` oneof case.
OPERATIONS: Dict[str, str] = {
    "info": "info", "degree": "degree", "neighbors": "neighbors", "edge-neighbors": "edge_neighbors",
    "components": "components", "line-graph": "line_graph", "distance": "distance", "diameter": "diameter",
    "centrality": "centrality", "toplexes": "toplexes", "singletons": "singletons", "collapse": "collapse",
    "dual": "dual", "restrict": "restriction", "modularity": "modularity", "communities": "communities",
    "report": "report", "query": "query",
}

# The command line's defaults, so that `run("components", "lesmis")` means what
# `anant components lesmis` does. Fields absent here default to proto3's zero value.
_DEFAULTS: Dict[str, Dict[str, Any]] = {
    "degree": {"s": 1}, "neighbors": {"s": 1}, "edge_neighbors": {"s": 1},
    "components": {"s": 1, "of": "edges"}, "line_graph": {"s": 1, "of": "edges"},
    "distance": {"s": 1, "of": "nodes"}, "diameter": {"s": 1, "of": "nodes"},
    "centrality": {"s": 1, "of": "edges"}, "collapse": {"of": "edges"},
    "modularity": {"weighting": "linear"},
    "communities": {"method": "kumar", "weighting": "linear", "delta": 0.01, "seed": 0},
    "report": {"top": 10}, "query": {"table": "incidences"},
}

# Friendlier spellings of some fields, per case.
_ALIASES: Dict[str, Dict[str, str]] = {
    "distance": {"from_": "from_id", "source": "from_id", "to": "to_id", "target": "to_id"},
    "query": {"where": "filter", "with_": "computed", "agg": "aggregations"},
    "degree": {"node": "nodes"}, "neighbors": {"node": "nodes"}, "edge_neighbors": {"edge": "edges"},
}


def operation_name(name: str) -> str:
    """The ``Operation`` case of an operation name (``"edge-neighbors"``, ``"edge_neighbors"``
    and ``"restriction"`` are accepted too).

    Raises:
        AnantError: ``INVALID_ARGUMENT`` for an unknown name.
    """
    key = name.strip().lower().replace("_", "-")
    if key in OPERATIONS:
        return OPERATIONS[key]
    if key == "restriction":
        return "restriction"
    raise AnantError("INVALID_ARGUMENT", f"unknown operation {name!r}: one of {', '.join(OPERATIONS)}")


def build_operation(name: str, **params: Any) -> "gateway_pb2.Operation":
    """The ``Operation`` message running ``name`` with ``params``.

    Args:
        name: the operation, as the command line names it (``"centrality"``).
        params: its fields (``s=2, of="nodes", measure="closeness", top=5``); a field set
            to None keeps its default (an optional field stays absent).

    Raises:
        TypeError: for a keyword the operation does not have.
        AnantError: ``INVALID_ARGUMENT`` for a value of the wrong kind.
    """
    case = operation_name(name)
    operation = gateway_pb2.Operation()
    message = getattr(operation, case)
    message.SetInParent()
    aliases = _ALIASES.get(case, {})
    values: Dict[str, Any] = dict(_DEFAULTS.get(case, {}))
    for key, value in params.items():
        field = aliases.get(key, key)
        if field not in message.DESCRIPTOR.fields_by_name:
            known = ", ".join(list(message.DESCRIPTOR.fields_by_name) + list(aliases))
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r} (its fields: {known or 'none'})")
        values[field] = value
    for field, value in values.items():
        if value is not None:
            _assign(message, message.DESCRIPTOR.fields_by_name[field], value, f"{case}.{field}")
    return operation


def _assign(message: Any, field: FieldDescriptor, value: Any, path: str) -> None:
    if _repeated(field):
        items = [value] if isinstance(value, (str, bytes, int, float)) else list(value)
        if field.type == FieldDescriptor.TYPE_STRING:
            getattr(message, field.name).extend(str(item) for item in items)
        else:
            raise AnantError("INVALID_ARGUMENT", f"{path}: a repeated field of this type is not supported")
        return
    if field.type == FieldDescriptor.TYPE_ENUM:
        setattr(message, field.name, _enum(field, value, path))
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        target = getattr(message, field.name)
        if isinstance(value, type(target)):
            target.CopyFrom(value)
        elif field.message_type.name == "Partition":
            target.CopyFrom(partition(value))
        elif field.message_type.name == "QueryJoin":
            target.CopyFrom(_join(value, path))
        else:
            raise AnantError("INVALID_ARGUMENT", f"{path} takes a {field.message_type.name} message")
    elif field.type == FieldDescriptor.TYPE_BOOL:
        setattr(message, field.name, bool(value))
    elif field.type == FieldDescriptor.TYPE_STRING:
        setattr(message, field.name, str(value))
    elif field.type == FieldDescriptor.TYPE_DOUBLE:
        setattr(message, field.name, float(value))
    else:
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnantError("INVALID_ARGUMENT", f"{path} takes an integer, not {value!r}")
        try:
            setattr(message, field.name, value)
        except ValueError:
            raise AnantError("INVALID_ARGUMENT", f"{path} is out of range ({value})") from None


def _repeated(field: FieldDescriptor) -> bool:
    # `is_repeated` is the newer runtimes' spelling (7.x dropped `label`), `label` the older's.
    flag = getattr(field, "is_repeated", None)
    return bool(flag) if flag is not None else field.label == FieldDescriptor.LABEL_REPEATED


def _enum(field: FieldDescriptor, value: Any, path: str) -> int:
    enum = field.enum_type
    if isinstance(value, int) and not isinstance(value, bool):
        if value in enum.values_by_number:
            return value
    elif isinstance(value, str):
        prefix = _enum_prefix(enum.name)
        short = value.strip().upper().replace("-", "_")
        for candidate in (short, prefix + short):
            if candidate in enum.values_by_name and not candidate.endswith("_UNSPECIFIED"):
                return enum.values_by_name[candidate].number
    names = [v.name[len(_enum_prefix(enum.name)):].lower().replace("_", "-") for v in enum.values if v.number != 0]
    raise AnantError("INVALID_ARGUMENT", f"{path}: {value!r} is not one of {', '.join(names)}")


def _enum_prefix(enum_name: str) -> str:
    """``CentralityMeasure`` → ``CENTRALITY_MEASURE_`` (buf's enum value prefix)."""
    out = []
    for k, c in enumerate(enum_name):
        if c.isupper() and k > 0:
            out.append("_")
        out.append(c.upper())
    return "".join(out) + "_"


def partition(value: Any) -> "gateway_pb2.Partition":
    """A ``Partition`` from ``{node: part}``, ``[(node, part), ...]`` or ``[[nodes], ...]``
    (the k-th list is part ``k``), as the command line's partition files."""
    entries: List[Tuple[str, str]] = []
    if isinstance(value, Mapping):
        entries = [(str(node), str(part)) for node, part in value.items()]
    else:
        for k, item in enumerate(value):
            if isinstance(item, (list, set, frozenset)) or (isinstance(item, tuple) and len(item) != 2):
                entries.extend((str(node), str(k)) for node in item)
            else:
                node, part = item
                entries.append((str(node), str(part)))
    return gateway_pb2.Partition(entries=[gateway_pb2.PartitionEntry(node=n, part=p) for n, p in entries])


def _join(value: Any, path: str) -> "gateway_pb2.QueryJoin":
    if isinstance(value, str):
        raise AnantError("INVALID_ARGUMENT", f"{path}: give a mapping {{'table': ..., 'on': [...]}} (or left_on/right_on, how)")
    spec = dict(value)
    on = spec.pop("on", None)
    left_on = spec.pop("left_on", on)
    right_on = spec.pop("right_on", on)
    how = spec.pop("how", spec.pop("kind", "inner"))
    table = spec.pop("table", None)
    if spec or table is None or left_on is None:
        raise AnantError("INVALID_ARGUMENT", f"{path}: a join is {{'table': ..., 'on' (or 'left_on' and 'right_on'): [...], 'how': 'inner'|'left'}}")
    as_list = lambda keys: [keys] if isinstance(keys, str) else list(keys)  # noqa: E731
    join = gateway_pb2.QueryJoin(table=str(table), left_on=as_list(left_on), right_on=as_list(right_on))
    join.kind = _enum(gateway_pb2.QueryJoin.DESCRIPTOR.fields_by_name["kind"], how, path + ".how")
    return join


def dataset_table(name: Any) -> int:
    """The ``DatasetTable`` value of ``"incidences"``, ``"nodes"`` or ``"edges"``."""
    return _enum(gateway_pb2.QuerySpec.DESCRIPTOR.fields_by_name["table"], name, "table")
