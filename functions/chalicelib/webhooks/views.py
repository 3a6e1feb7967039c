"""Webhook records as the API shows them (never a secret, except once when it is made)."""

from __future__ import annotations

from chalicelib.core.clock import moment
from chalicelib.store.webhooks import WebhookDelivery, WebhookEndpoint
from chalicelib.webhooks.endpoints import previous_secret_valid_until
from chalicelib.webhooks.schemas import DeliveryList, DeliveryView, WebhookCreated, WebhookList, WebhookView


def webhook_view(endpoint: WebhookEndpoint) -> WebhookView:
    return WebhookView(
        id=endpoint.endpoint_id,
        url=endpoint.url,
        events=list(endpoint.events),
        description=endpoint.description,
        created_at=moment(endpoint.created_at),  # type: ignore[arg-type]
        previous_secret_valid_until=moment(previous_secret_valid_until(endpoint)),
    )


def created(endpoint: WebhookEndpoint, secret: str) -> WebhookCreated:
    return WebhookCreated(**webhook_view(endpoint).model_dump(), secret=secret)


def webhook_list(endpoints: list[WebhookEndpoint]) -> WebhookList:
    return WebhookList(webhooks=[webhook_view(endpoint) for endpoint in endpoints])


def delivery_view(delivery: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        delivery_id=delivery.delivery_id,
        webhook_id=delivery.endpoint_id,
        status=delivery.status,  # type: ignore[arg-type]
        attempts=int(delivery.attempts),
        last_error=delivery.last_error,
        created_at=moment(delivery.created_at),  # type: ignore[arg-type]
        next_attempt_at=moment(delivery.next_attempt_at),
        event=delivery.event,
    )


def delivery_list(deliveries: list[WebhookDelivery]) -> DeliveryList:
    return DeliveryList(deliveries=[delivery_view(delivery) for delivery in deliveries])
