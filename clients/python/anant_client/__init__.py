"""A pure-Python client of Anant's gateway.

Run hypergraph analytics on a cluster's datasets and get Arrow tables back::

    import anant_client

    with anant_client.connect("127.0.0.1:7000", token_file="cluster/admin.token") as client:
        client.import_dataset("data/samples/lesmis.hif.json", "lesmis")
        degrees = client.degree("lesmis", s=1)              # a Result
        print(degrees.table)                                # a pyarrow.Table
        top = client.centrality("lesmis", "betweenness", top=5).to_polars()

Every failure raises :class:`AnantError`, whose ``code`` is the gateway's status code name
(``"NOT_FOUND"``, ``"UNAUTHENTICATED"``, ``"PERMISSION_DENIED"``...).

The client speaks the wire of ``docs/wire.md`` (length-prefixed protobuf envelopes over
TCP) with the messages of ``proto/anant/v1/*.proto``, generated into ``anant_client._proto``.
"""

from .client import Client, connect
from .datasets import DatasetSummary, DatasetVersion, ExportedDataset, RemoveResult
from .errors import STATUS_CODES, AnantError
from .metadata import EntityMetadata, HistoryEntry, Record
from .operations import OPERATIONS, build_operation
from .result import Result, Timings

__version__ = "0.1.0"

__all__ = [
    "AnantError", "Client", "DatasetSummary", "DatasetVersion", "EntityMetadata", "ExportedDataset", "HistoryEntry",
    "OPERATIONS", "Record", "RemoveResult", "Result", "STATUS_CODES", "Timings", "build_operation", "connect",
]
