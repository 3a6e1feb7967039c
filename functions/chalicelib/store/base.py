"""What every table shares: its name from configuration, region, endpoint, on-demand billing.

PynamoDB reads `Meta` when the model class is created, so configuration is read at import, once.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
import pynamodb.connection.base
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.models import Model

from chalicelib.core.config import get_settings

_sessions = threading.local()


def _botocore_session() -> botocore.session.Session:
    """One botocore session per thread for every table, not one per table: PynamoDB gives each
    model's connection a session of its own, and each new session loads the DynamoDB service model
    again (0.1 s a table, 31 tables: seconds at every start of the local stack or a cold Lambda).
    Per thread, as PynamoDB keeps them, because creating clients from one session is not thread-safe."""
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = botocore.session.get_session()
    return session


pynamodb.connection.base.get_session = _botocore_session  # what `Connection.session` calls


def table_meta(name: str, *, stream: bool = False) -> type:
    """`stream=True` for tables whose changes feed the statistics (new and old images)."""
    settings = get_settings()

    class Meta:
        table_name = f"{settings.table_prefix}-{name}"
        region = settings.region
        host = settings.dynamodb_endpoint
        billing_mode = "PAY_PER_REQUEST"

    if stream:
        Meta.stream_view_type = "NEW_AND_OLD_IMAGES"  # type: ignore[attr-defined]
    return Meta


_connection: Connection | None = None


def connection() -> Connection:
    """The low-level connection transactions need, created on first use."""
    global _connection
    if _connection is None:
        settings = get_settings()
        _connection = Connection(region=settings.region, host=settings.dynamodb_endpoint)
    return _connection


def condition_failed(error: PutError | UpdateError | DeleteError | TransactWriteError) -> bool:
    """True when a conditional write lost, read from the cause code rather than the message."""
    if isinstance(error, TransactWriteError):
        reasons = error.cancellation_reasons or []
        return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)
    return error.cause_response_code == "ConditionalCheckFailedException"


def all_models() -> list[type[Model]]:
    from chalicelib.store.accounts import Account, LoginName
    from chalicelib.store.clients import Client
    from chalicelib.store.complaints import Complaint
    from chalicelib.store.dossiers import AgencyTally, Dossier, DossierCounter, Draft, SyncReceipt
    from chalicelib.store.grants import Grant
    from chalicelib.store.linked import LinkedGroup, LinkedList, LinkedTally, ListRow
    from chalicelib.store.outbox import OutboxMessage
    from chalicelib.store.payments import (
        CallbackRecord,
        GatewayTransaction,
        PaymentCredit,
        PaymentIntent,
        RefundCase,
        SandboxCharge,
    )
    from chalicelib.store.stats import Counter, StreamMark
    from chalicelib.store.support import (
        AuditEntry,
        Conversation,
        DataAccess,
        FaqCandidate,
        StaffMember,
        SupportCall,
    )
    from chalicelib.store.webhooks import WebhookDelivery, WebhookEndpoint

    return [
        Account,
        LoginName,
        Client,
        Grant,
        OutboxMessage,
        Dossier,
        Draft,
        DossierCounter,
        SyncReceipt,
        AgencyTally,
        PaymentIntent,
        GatewayTransaction,
        CallbackRecord,
        SandboxCharge,
        PaymentCredit,
        RefundCase,
        Complaint,
        Counter,
        StreamMark,
        WebhookEndpoint,
        WebhookDelivery,
        LinkedGroup,
        LinkedList,
        ListRow,
        LinkedTally,
        StaffMember,
        AuditEntry,
        DataAccess,
        Conversation,
        SupportCall,
        FaqCandidate,
    ]


def create_tables(wait: bool = True) -> list[str]:
    """Create every missing table, and every index missing from an existing one (a local state folder
    from before the index was added); idempotent. Returns what was created. On AWS, infra/ owns this."""
    created = []
    for model in all_models():
        if not model.exists():
            model.create_table(wait=wait)
            created.append(model.Meta.table_name)
        else:
            created += [f"{model.Meta.table_name}/{name}" for name in _add_missing_indexes(model)]
        model.update_ttl(ignore_update_ttl_errors=False)
    return created


def _add_missing_indexes(model: type[Model]) -> list[str]:
    existing = {index["IndexName"] for index in model.describe_table().get("GlobalSecondaryIndexes", [])}
    added = []
    for index in model._get_schema().get("global_secondary_indexes", []):
        if index["index_name"] in existing:
            continue
        model._get_connection().connection._make_api_call(  # PynamoDB has no call for adding an index
            "UpdateTable",
            {
                "TableName": model.Meta.table_name,
                "AttributeDefinitions": index["attribute_definitions"],
                "GlobalSecondaryIndexUpdates": [
                    {
                        "Create": {
                            "IndexName": index["index_name"],
                            "KeySchema": index["key_schema"],
                            "Projection": index["projection"],
                        }
                    }
                ],
            },
        )
        added.append(index["index_name"])
    return added


def table_names() -> dict[str, Any]:
    return {model.__name__: model.Meta.table_name for model in all_models()}
