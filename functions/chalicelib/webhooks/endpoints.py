"""What an agency does with its webhook endpoints: register, list, remove, rotate the signing secret,
send itself a test event, read and replay dead deliveries."""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.store.webhooks import SigningSecret, WebhookDelivery, WebhookEndpoint
from chalicelib.webhooks import delivery
from chalicelib.webhooks.events import PING, Event, event_id
from chalicelib.webhooks.schemas import WebhookRegistration
from chalicelib.webhooks.signing import new_secret

MAX_ENDPOINTS = 10
OVERLAP_SECONDS = 24 * 3600  # a rotated-out secret keeps signing this long, so receivers can switch
NOT_FOUND = "Không tìm thấy điểm nhận webhook."


def register(agency_id: str, request: WebhookRegistration) -> tuple[WebhookEndpoint, str]:
    _check_url(request.url)
    if WebhookEndpoint.count(agency_id) >= MAX_ENDPOINTS:
        raise Conflict(f"Mỗi cơ quan đăng ký tối đa {MAX_ENDPOINTS} điểm nhận webhook.", field="url")
    secret, now = new_secret(), clock.now()
    endpoint = WebhookEndpoint(
        agency_id,
        f"wh_{secrets.token_hex(12)}",
        url=request.url,
        events=sorted(set(request.events)),
        description=request.description,
        secrets=[SigningSecret(secret=secret, created_at=now)],
        created_at=now,
    )
    endpoint.save()
    return endpoint, secret


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    allowed = ("https", "http") if get_settings().webhook_allow_http else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise InvalidInput("Địa chỉ nhận webhook phải là một URL https:// đầy đủ.", field="url")
    if parts.username or parts.password or parts.fragment:
        raise InvalidInput("Địa chỉ nhận webhook không được chứa tên đăng nhập, mật khẩu hay #.", field="url")
    if not get_settings().webhook_allow_http:
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return
        if not address.is_global:
            raise InvalidInput("Địa chỉ nhận webhook không được là địa chỉ mạng nội bộ.", field="url")


def endpoints_of(agency_id: str) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.query(agency_id))


def get(agency_id: str, endpoint_id: str) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.get(agency_id, endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise NotFound(NOT_FOUND, field="id") from None


def remove(agency_id: str, endpoint_id: str) -> None:
    get(agency_id, endpoint_id).delete()


def rotate_secret(agency_id: str, endpoint_id: str) -> tuple[WebhookEndpoint, str]:
    """A new secret signs from now on; the current one keeps signing for `OVERLAP_SECONDS` beside it."""
    endpoint, now = get(agency_id, endpoint_id), clock.now()
    secret = new_secret()
    kept = [s for s in endpoint.secrets if s.expires_at is None or s.expires_at > now]
    for old in kept:
        old.expires_at = min(old.expires_at or now + OVERLAP_SECONDS, now + OVERLAP_SECONDS)
    endpoint.secrets = [SigningSecret(secret=secret, created_at=now), *kept]
    endpoint.save()
    return endpoint, secret


def previous_secret_valid_until(endpoint: WebhookEndpoint) -> float | None:
    now = clock.now()
    return max((s.expires_at for s in endpoint.secrets if s.expires_at and s.expires_at > now), default=None)


def ping(agency_id: str, endpoint_id: str) -> WebhookDelivery:
    """A `ping` event to this endpoint only, delivered like any other (signed, retried)."""
    get(agency_id, endpoint_id)  # the agency's own, or 404
    now = clock.now()
    event = Event(event_id(secrets.token_hex(8), PING), PING, agency_id, now, {"webhook_id": endpoint_id})
    delivery.create(event, endpoint_id)
    delivery_id = delivery.delivery_id_of(event, endpoint_id)
    delivery.dispatch([delivery_id])
    return WebhookDelivery.get(delivery_id, consistent_read=True)


def dead_letters(agency_id: str, limit: int) -> list[WebhookDelivery]:
    return list(WebhookDelivery.dead.query(agency_id, scan_index_forward=False, limit=limit))


def own_delivery(agency_id: str, delivery_id: str) -> WebhookDelivery:
    try:
        found = WebhookDelivery.get(delivery_id, consistent_read=True)
    except WebhookDelivery.DoesNotExist:
        found = None
    if found is None or found.agency_id != agency_id:
        raise NotFound("Không tìm thấy lần gửi webhook.", field="delivery_id")
    return found


def replay_dead(agency_id: str, delivery_id: str) -> WebhookDelivery:
    found = own_delivery(agency_id, delivery_id)
    if found.status != "dead":
        raise Conflict("Chỉ gửi lại được lần gửi đã thất bại hẳn (dead).", field="delivery_id")
    delivery.replay(found)
    delivery.dispatch([delivery_id])
    return WebhookDelivery.get(delivery_id, consistent_read=True)
