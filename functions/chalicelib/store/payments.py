"""Payment intents, the gateway transactions applied to them, every callback received, and the
sandbox gateway's ledger.

Access patterns:
- an intent by id: the table's key;
- a person's intents, newest first: `by-owner` (account id, created_at);
- a dossier's or a fine's intents: `by-subject` (e.g. `dossier#CA-TINH-260101-0001`, created_at);
- intents waiting for the gateway, for reconciliation: `pending`, sparse (only pending intents
  carry `pending_shard`), spread over shards so no partition is hot;
- which intent paid an obligation: `payment-credits`, one item per subject, written in the crediting
  transaction under "does not exist", so a dossier fee, fine or contribution is credited once;
- money taken but not credited, for an operator to refund: `payment-refunds`, by agency.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta

PENDING_SHARDS = 8


class IntentsByOwner(GlobalSecondaryIndex["PaymentIntent"]):
    class Meta:
        index_name = "by-owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class IntentsBySubject(GlobalSecondaryIndex["PaymentIntent"]):
    class Meta:
        index_name = "by-subject"
        projection = KeysOnlyProjection()

    subject = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class IntentsByAgency(GlobalSecondaryIndex["PaymentIntent"]):
    """The beneficiary agency's payments, newest first (`payments:read`)."""

    class Meta:
        index_name = "by-agency"
        projection = AllProjection()

    agency_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class IntentChangesByAgency(GlobalSecondaryIndex["PaymentIntent"]):
    """The beneficiary agency's payments by last change, oldest first: the change feed."""

    class Meta:
        index_name = "changes-by-agency"
        projection = AllProjection()

    agency_id = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class PendingIntents(GlobalSecondaryIndex["PaymentIntent"]):
    class Meta:
        index_name = "pending"
        projection = KeysOnlyProjection()

    pending_shard = UnicodeAttribute(hash_key=True)
    pending_at = NumberAttribute(range_key=True)


class PaymentIntent(Model):
    """What a person owes and how the payment went: created -> pending -> succeeded / failed / cancelled / expired."""

    Meta = table_meta("payment-intents", stream=True)

    intent_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # "dossier_fee" | "traffic_fine" | "insurance"
    subject = UnicodeAttribute()  # "dossier#<code>", "fine#<decision>", "insurance#<number>"
    owner_id = UnicodeAttribute()
    payer_name = UnicodeAttribute()
    contact_email = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    description = UnicodeAttribute()
    service = UnicodeAttribute()  # the receipt's "dịch vụ"
    agency_id = UnicodeAttribute()
    agency_name = UnicodeAttribute()
    beneficiary_account = UnicodeAttribute()
    procedure_code = UnicodeAttribute(null=True)
    procedure_name = UnicodeAttribute(null=True)
    dossier_code = UnicodeAttribute(null=True)
    lines = JSONAttribute(default=list)  # [{"name", "kind", "amount"}]
    amount = NumberAttribute()  # VND, whole đồng
    currency = UnicodeAttribute(default="VND")
    gateway = UnicodeAttribute()
    status = UnicodeAttribute(default="created")  # ... | "refund_due": money taken, obligation paid by another
    history = JSONAttribute(default=list)  # [{"status", "at"}], one entry per change
    created_at = NumberAttribute()
    pending_at = NumberAttribute(null=True)
    settled_at = NumberAttribute(null=True)
    transaction_id = UnicodeAttribute(null=True)  # the gateway transaction credited
    credited_amount = NumberAttribute(null=True)
    bank_code = UnicodeAttribute(null=True)
    pending_shard = UnicodeAttribute(null=True)
    updated_at = NumberAttribute(null=True)  # every change; intents from before it existed are not in the feed
    version = VersionAttribute()

    by_owner = IntentsByOwner()
    by_subject = IntentsBySubject()
    by_agency = IntentsByAgency()
    changes_by_agency = IntentChangesByAgency()
    pending = PendingIntents()


class GatewayTransaction(Model):
    """`{gateway}#{transaction id}#{outcome}` -> the intent it was applied to: written once, so a replay
    changes nothing."""

    Meta = table_meta("payment-transactions")

    key = UnicodeAttribute(hash_key=True)
    intent_id = UnicodeAttribute()
    outcome = UnicodeAttribute()
    amount = NumberAttribute()
    applied_at = NumberAttribute()


class CallbackRecord(Model):
    """Every callback and query answer received, as received (secrets dropped, card numbers masked), for audit."""

    Meta = table_meta("payment-callbacks")

    callback_id = UnicodeAttribute(hash_key=True)
    gateway = UnicodeAttribute()
    source = UnicodeAttribute()  # "callback" | "query"
    received_at = NumberAttribute()
    intent_id = UnicodeAttribute(null=True)
    result = UnicodeAttribute()
    raw = JSONAttribute()


class SandboxCharge(Model):
    """The sandbox gateway's own book: what the citizen chose on its page, for its status query answers."""

    Meta = table_meta("payment-sandbox")

    key = UnicodeAttribute(hash_key=True)  # "{gateway}#{order id}"
    outcome = UnicodeAttribute()
    transaction_id = UnicodeAttribute()
    amount = NumberAttribute()
    at = NumberAttribute()


class PaymentCredit(Model):
    """The one intent credited for an obligation (`dossier#<code>`, `fine#<decision>`, `insurance#<number>`)."""

    Meta = table_meta("payment-credits")

    subject = UnicodeAttribute(hash_key=True)
    intent_id = UnicodeAttribute()
    transaction = UnicodeAttribute()  # "{gateway}#{transaction id}"
    amount = NumberAttribute()
    credited_at = NumberAttribute()


class RefundsByAgency(GlobalSecondaryIndex["RefundCase"]):
    class Meta:
        index_name = "by-agency"
        projection = AllProjection()

    agency_id = UnicodeAttribute(hash_key=True)
    opened_at = NumberAttribute(range_key=True)


class RefundCase(Model):
    """A gateway transaction that took money the portal did not credit: the operator refunds it.

    Keyed by the transaction (`{gateway}#{transaction id}`), so a repeated callback opens one case.
    Reasons: `obligation_paid` (another intent had already paid the dossier, fine or contribution,
    e.g. a late success for an expired intent after the citizen paid again), `second_success` (a
    second transaction for an intent already paid), `not_sent` (a success for an intent the portal
    never sent to the gateway).
    """

    Meta = table_meta("payment-refunds")

    key = UnicodeAttribute(hash_key=True)
    gateway = UnicodeAttribute()
    transaction_id = UnicodeAttribute()
    intent_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    amount = NumberAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute(default="open")
    opened_at = NumberAttribute()

    by_agency = RefundsByAgency()
