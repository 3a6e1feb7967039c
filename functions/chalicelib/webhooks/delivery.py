"""Getting events to agencies' endpoints: a delivery per event and endpoint, attempted from the stream
handler's queue (SQS on AWS, a thread pool in the local stack), retried with exponential backoff for
31 hours (11 attempts), then parked as dead until the agency replays it.

An attempt first claims the delivery (moves `next_attempt_at` forward by a lease, on condition that it
still holds the value read), so a message delivered twice by SQS, or a sweep racing the queue, sends
one request. A receiver must still treat `webhook-id` as an idempotency key: a timeout after the
receiver acted counts as a failure and is retried.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import socket
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable
from concurrent.futures import Executor
from typing import Any
from urllib.parse import urlsplit

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.logs import log_event
from chalicelib.store.base import condition_failed
from chalicelib.store.webhooks import DUE_SHARDS, WebhookDelivery, WebhookEndpoint
from chalicelib.webhooks.events import Event
from chalicelib.webhooks.signing import signature_header

# Seconds to wait after the 1st, 2nd, ... failed attempt: 30 s up to 8 h; 11 attempts over 31 h 42 min.
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800, 28800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
TIMEOUT_SECONDS = 10.0
LEASE_SECONDS = 60.0  # longer than one attempt can take
MAX_ERROR_CHARS = 300
USER_AGENT = "dvc-portal-webhooks/1"


def create_deliveries(events: Iterable[Event]) -> list[str]:
    """One pending delivery per event and subscribed endpoint (none twice: keyed by event and endpoint);
    returns the ids created."""
    endpoints: dict[str, list[WebhookEndpoint]] = {}
    created = []
    for event in events:
        if event.agency_id not in endpoints:
            endpoints[event.agency_id] = list(WebhookEndpoint.query(event.agency_id))
        for endpoint in endpoints[event.agency_id]:
            if event.type in endpoint.events and create(event, endpoint.endpoint_id):
                created.append(delivery_id_of(event, endpoint.endpoint_id))
    return created


def delivery_id_of(event: Event, endpoint_id: str) -> str:
    return f"{event.event_id}.{endpoint_id}"


def create(event: Event, endpoint_id: str) -> bool:
    """The pending delivery of `event` to one endpoint; False if it exists already."""
    delivery_id = delivery_id_of(event, endpoint_id)
    now = clock.now()
    delivery = WebhookDelivery(
        delivery_id,
        agency_id=event.agency_id,
        endpoint_id=endpoint_id,
        event=event.body(),
        next_attempt_at=now,
        due_shard=shard_of(delivery_id),
        created_at=now,
    )
    try:
        delivery.save(condition=WebhookDelivery.delivery_id.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False  # a replayed stream record: delivered (or being delivered) already
        raise
    return True


def shard_of(delivery_id: str) -> str:
    return str(zlib.crc32(delivery_id.encode()) % DUE_SHARDS)


_local_executor: Executor | None = None
_in_flight: set[str] = set()  # ids handed to an executor and not yet attempted: a sweep skips them
_in_flight_lock = threading.Lock()


def use_local_executor(executor: Executor | None) -> None:
    """The local stack's delivery threads: without a queue, deliveries start on them at once."""
    global _local_executor
    _local_executor = executor


def dispatch(delivery_ids: list[str], executor: Executor | None = None) -> None:
    """Start attempts now: to the SQS queue the delivery Lambda reads, or on `executor` (the local stack).
    With neither, the next sweep picks them up."""
    executor = executor or _local_executor
    if not delivery_ids:
        return
    queue_url = get_settings().webhook_queue_url
    if queue_url:
        import boto3

        sqs = boto3.client("sqs", region_name=get_settings().region)
        for start in range(0, len(delivery_ids), 10):
            entries = [{"Id": str(n), "MessageBody": i} for n, i in enumerate(delivery_ids[start : start + 10])]
            sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    elif executor is not None:
        with _in_flight_lock:
            fresh = [delivery_id for delivery_id in delivery_ids if delivery_id not in _in_flight]
            _in_flight.update(fresh)
        for delivery_id in fresh:
            executor.submit(_attempt_queued, delivery_id)


def _attempt_queued(delivery_id: str) -> str:
    try:
        return attempt(delivery_id)
    finally:
        with _in_flight_lock:
            _in_flight.discard(delivery_id)


SWEEP_LIMIT = 2500  # per shard and sweep: 10,000 a minute on AWS, where new deliveries skip the sweep


def due_deliveries(limit: int = SWEEP_LIMIT) -> list[str]:
    """Deliveries whose next attempt is due (new ones, retries, replays), oldest due first."""
    now = clock.now()
    found: list[str] = []
    for shard in range(DUE_SHARDS):
        query = WebhookDelivery.due.query(str(shard), WebhookDelivery.next_attempt_at <= now, limit=limit)
        found += [delivery.delivery_id for delivery in query]
    return found


def sweep(executor: Executor | None = None) -> int:
    """The scheduled job: hand every due delivery to the queue (or the executor); returns how many."""
    due = due_deliveries()
    if executor is None and not get_settings().webhook_queue_url:
        for delivery_id in due:
            attempt(delivery_id)
    else:
        dispatch(due, executor)
    return len(due)


def attempt(delivery_id: str) -> str:
    """One attempt of one delivery; returns what became of it: delivered, retry, dead, skipped."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    try:
        endpoint = WebhookEndpoint.get(delivery.agency_id, delivery.endpoint_id)
    except DoesNotExist:
        _finish(delivery, "cancelled", error="Điểm nhận đã bị xoá.")
        return "cancelled"
    error = send(endpoint, delivery.event)
    if error is None:
        _finish(delivery, "delivered")
        return "delivered"
    attempts = int(delivery.attempts) + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(delivery, "dead", error=error, attempts=attempts)
        log_event("webhook_dead", logging.WARNING, delivery_id=delivery_id, agency_id=delivery.agency_id)
        return "dead"
    wait = BACKOFF_SECONDS[attempts - 1] * random.uniform(0.9, 1.1)
    delivery.update(
        actions=[
            WebhookDelivery.attempts.set(attempts),
            WebhookDelivery.next_attempt_at.set(clock.now() + wait),
            WebhookDelivery.last_error.set(error),
        ]
    )
    return "retry"


def _claim(delivery_id: str) -> WebhookDelivery | None:
    try:
        delivery = WebhookDelivery.get(delivery_id, consistent_read=True)
    except DoesNotExist:
        return None
    due = delivery.next_attempt_at
    if delivery.status != "pending" or due is None or due > clock.now():
        return None
    try:
        delivery.update(
            actions=[WebhookDelivery.next_attempt_at.set(clock.now() + LEASE_SECONDS)],
            condition=(WebhookDelivery.next_attempt_at == due) & (WebhookDelivery.status == "pending"),
        )
    except UpdateError as error:
        if condition_failed(error):
            return None  # another worker claimed this attempt
        raise
    return delivery


def _finish(delivery: WebhookDelivery, status: str, *, error: str | None = None, attempts: int | None = None) -> None:
    actions: list[Any] = [
        WebhookDelivery.status.set(status),
        WebhookDelivery.due_shard.remove(),
        WebhookDelivery.next_attempt_at.remove(),
    ]
    if status == "delivered":
        actions += [WebhookDelivery.delivered_at.set(clock.now()), WebhookDelivery.attempts.add(1)]
    if status == "dead":
        actions.append(WebhookDelivery.dead_agency.set(delivery.agency_id))
    if attempts is not None:
        actions.append(WebhookDelivery.attempts.set(attempts))
    if error is not None:
        actions.append(WebhookDelivery.last_error.set(error))
    delivery.update(actions=actions)


def _internal_address(url: str) -> str | None:
    """Outside the local stack, a name that resolves to a private, loopback or link-local address is
    refused at each attempt (registration only sees the name). A name re-pointed between this check
    and the connection (DNS rebinding) is not caught here: on AWS the delivery Lambda runs outside the
    VPC, so it cannot reach private addresses anyway."""
    if get_settings().webhook_allow_http:
        return None
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        return f"Không phân giải được tên miền của điểm nhận: {error}"[:MAX_ERROR_CHARS]
    if any(not ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses):
        return "Tên miền của điểm nhận trỏ tới địa chỉ mạng nội bộ."
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer other than 2xx: a failed attempt, never a request elsewhere


_opener = urllib.request.build_opener(_NoRedirects)


def send(endpoint: WebhookEndpoint, event: dict[str, Any]) -> str | None:
    """POST the signed event; None on a 2xx answer, else why it failed (kept on the delivery)."""
    refusal = _internal_address(endpoint.url)
    if refusal:
        return refusal
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(clock.now())
    now = clock.now()
    in_use = [s.secret for s in endpoint.secrets if s.expires_at is None or s.expires_at > now]
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": event["id"],
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(in_use, event["id"], timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, malformed URL
        return f"Không gửi được: {type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
    if 200 <= status < 300:
        return None
    return f"Điểm nhận trả lời HTTP {status}."


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """A dead delivery back in line, with a fresh set of attempts."""
    delivery.update(
        actions=[
            WebhookDelivery.status.set("pending"),
            WebhookDelivery.attempts.set(0),
            WebhookDelivery.next_attempt_at.set(clock.now()),
            WebhookDelivery.due_shard.set(shard_of(delivery.delivery_id)),
            WebhookDelivery.dead_agency.remove(),
        ],
        condition=WebhookDelivery.status == "dead",
    )
    return delivery
