"""The table definitions the app itself uses, read from its PynamoDB models (no second copy to drift).

The backend reads its configuration once, at import, and names each table `<prefix>-<name>`.
Infrastructure needs only `<name>`: every stage applies its own prefix, whatever prefix the
models happened to be imported with (tests import them with theirs).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from infra import FUNCTIONS_DIR


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: tuple[tuple[str, str], ...]  # (attribute, "HASH" | "RANGE"), hash first
    projection: str  # "ALL" | "KEYS_ONLY" | "INCLUDE"
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str  # without the stage prefix, e.g. "dossiers"
    model: str
    keys: tuple[tuple[str, str], ...]
    attribute_types: dict[str, str]  # key attributes of the table and its indexes -> "S" | "N" | "B"
    indexes: tuple[IndexSpec, ...]
    ttl_attribute: str | None
    stream: str | None = None  # the model's own `Meta.stream_view_type`, e.g. "NEW_AND_OLD_IMAGES"


def import_models(default_prefix: str = "dvc-infra") -> tuple[str, list[Any]]:
    """The models and the prefix they were created with; sets the prefix first if nothing has."""
    os.environ.setdefault("PORTAL_TABLE_PREFIX", default_prefix)
    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS_DIR))
    from chalicelib.core.config import get_settings
    from chalicelib.store.base import all_models

    return get_settings().table_prefix, all_models()


def _ordered(key_schema: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = [(entry["AttributeName"], entry["KeyType"]) for entry in key_schema]
    return tuple(sorted(pairs, key=lambda pair: pair[1] != "HASH"))


def _index(raw: dict[str, Any]) -> IndexSpec:
    projection = raw["projection"]
    return IndexSpec(
        name=raw["index_name"],
        keys=_ordered(raw["key_schema"]),
        projection=projection["ProjectionType"],
        non_key_attributes=tuple(projection.get("NonKeyAttributes", ())),
    )


def table_spec(model: Any, prefix: str) -> TableSpec:
    schema = model._get_schema()
    full_name: str = model.Meta.table_name
    if not full_name.startswith(f"{prefix}-"):
        raise ValueError(f"{model.__name__}: table {full_name!r} does not start with the prefix {prefix!r}")
    if schema.get("local_secondary_indexes"):
        raise ValueError(f"{model.__name__}: local secondary indexes are not described by infra/ yet")
    ttl = model._ttl_attribute()
    return TableSpec(
        name=full_name[len(prefix) + 1 :],
        model=model.__name__,
        keys=_ordered(schema["key_schema"]),
        attribute_types={entry["AttributeName"]: entry["AttributeType"] for entry in schema["attribute_definitions"]},
        indexes=tuple(_index(raw) for raw in schema.get("global_secondary_indexes", [])),
        ttl_attribute=ttl.attr_name if ttl is not None else None,
        stream=getattr(model.Meta, "stream_view_type", None),
    )


def table_specs() -> list[TableSpec]:
    prefix, models = import_models()
    return [table_spec(model, prefix) for model in models]
