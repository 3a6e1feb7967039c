"""Transactions in the local emulation at the cost of the items they touch, not of their tables.

moto's `TransactWriteItems` deep-copies every table a transaction names before applying it, to roll
back if the transaction is cancelled: each transaction costs time proportional to those tables'
size, and the local stack's tables only grow (moto never expires TTL items). A dossier sync item,
a payment callback, each counted stream record and each dossier notice is a transaction, so under a
few agency clients a sync request took seconds. In the local stack every write request already runs
alone (the write-ahead log's lock, `devstack.wal`), so a copy of just the items a transaction names
is a complete rollback: this replaces the table copies with those.

Applied by `python -m devstack` only: the tests' in-process moto has no such lock.
"""

from __future__ import annotations

import copy
from typing import Any

_UNDO: list[Any] = []


def item_level_transactions() -> None:
    if _UNDO:
        return
    import moto.dynamodb.models as backend_module
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    class _CopyAllButTables:
        """Stands in for the module's `copy`: a table is not copied, anything else is."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    original = backend_module.DynamoDBBackend.transact_write_items
    _UNDO.append(lambda: setattr(backend_module, "copy", copy))
    _UNDO.append(lambda: setattr(backend_module.DynamoDBBackend, "transact_write_items", original))
    backend_module.copy = _CopyAllButTables  # type: ignore[assignment]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            _kind, operation = next(iter(entry.items()))
            table = self.tables.get(operation.get("TableName"))
            if table is None:
                continue
            source = operation.get("Item") or operation.get("Key") or {}
            key = {name: source[name] for name in (table.hash_key_attr, table.range_key_attr) if name in source}
            if len(key) != (2 if table.range_key_attr else 1):
                continue  # malformed: moto refuses it before changing anything
            current = self.get_item(operation["TableName"], key)
            saved.append((table, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
        try:
            original(self, transact_items)
        except Exception:
            for table, key, attributes in reversed(saved):
                if attributes is not None:
                    table.put_item(attributes, overwrite=True)
                    continue
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                table.delete_item(DynamoType(key[table.hash_key_attr]), range_value)
            raise

    backend_module.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def table_level_transactions() -> None:
    """Back to moto's own behaviour (tests)."""
    while _UNDO:
        _UNDO.pop()()
