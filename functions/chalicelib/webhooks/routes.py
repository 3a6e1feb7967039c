"""Agency endpoints for webhooks (client-credentials tokens with `webhooks:manage`, scoped to the agency)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access

webhooks_api = Blueprint(__name__)
service = LazyModule("chalicelib.webhooks.endpoints")
views = LazyModule("chalicelib.webhooks.views")
schemas = ModelRefs("chalicelib.webhooks.schemas")

MANAGE = Access.agency("webhooks:manage")
TAG = "agency-webhooks"
DELIVERY = Returns("Lần gửi", schemas.DeliveryView)
WEBHOOK = Returns("Điểm nhận webhook", schemas.WebhookView)
CREATED = Returns("Điểm nhận đã đăng ký, kèm khoá ký (chỉ hiện một lần)", schemas.WebhookCreated)


@endpoint(
    webhooks_api,
    "/agency/webhooks",
    "POST",
    summary="Register an endpoint for some event types; the answer holds its signing secret, shown once",
    tag=TAG,
    access=MANAGE,
    body=schemas.WebhookRegistration,
    responses={201: CREATED},
)
def register_webhook(call: Call) -> Response:
    endpoint_record, secret = service.register(call.agency_id, call.body)
    return json_reply(views.created(endpoint_record, secret), status=201)


@endpoint(
    webhooks_api,
    "/agency/webhooks",
    "GET",
    summary="The agency's webhook endpoints",
    tag=TAG,
    access=MANAGE,
    responses={200: Returns("Các điểm nhận webhook", schemas.WebhookList)},
)
def list_webhooks(call: Call) -> Response:
    return json_reply(views.webhook_list(service.endpoints_of(call.agency_id)))


@endpoint(
    webhooks_api,
    "/agency/webhooks/{webhook_id}",
    "DELETE",
    summary="Remove an endpoint; its pending deliveries are cancelled",
    tag=TAG,
    access=MANAGE,
    responses={200: WEBHOOK},
)
def remove_webhook(call: Call) -> Response:
    agency_id = call.agency_id
    found = service.get(agency_id, call.params["webhook_id"])
    service.remove(agency_id, found.endpoint_id)
    return json_reply(views.webhook_view(found))


@endpoint(
    webhooks_api,
    "/agency/webhooks/{webhook_id}/rotate-secret",
    "POST",
    summary="A new signing secret (shown once); the previous one keeps signing beside it for 24 hours",
    tag=TAG,
    access=MANAGE,
    responses={200: CREATED},
)
def rotate_webhook_secret(call: Call) -> Response:
    endpoint_record, secret = service.rotate_secret(call.agency_id, call.params["webhook_id"])
    return json_reply(views.created(endpoint_record, secret))


@endpoint(
    webhooks_api,
    "/agency/webhooks/{webhook_id}/ping",
    "POST",
    summary="Send a signed `ping` event to the endpoint (delivered and retried like any event)",
    tag=TAG,
    access=MANAGE,
    responses={202: DELIVERY},
)
def ping_webhook(call: Call) -> Response:
    return json_reply(views.delivery_view(service.ping(call.agency_id, call.params["webhook_id"])), status=202)


@endpoint(
    webhooks_api,
    "/agency/webhooks/dead-letters",
    "GET",
    summary="Deliveries that failed every attempt (over 31 hours), newest first",
    tag=TAG,
    access=MANAGE,
    query=schemas.DeadLettersQuery,
    responses={200: Returns("Các lần gửi thất bại hẳn", schemas.DeliveryList)},
)
def dead_letters(call: Call) -> Response:
    found = service.dead_letters(call.agency_id, call.query.limit)
    return json_reply(views.delivery_list(found))


@endpoint(
    webhooks_api,
    "/agency/webhooks/dead-letters/{delivery_id}/replay",
    "POST",
    summary="Put a dead delivery back in line with a fresh set of attempts",
    tag=TAG,
    access=MANAGE,
    responses={202: DELIVERY},
)
def replay_dead_letter(call: Call) -> Response:
    replayed = service.replay_dead(call.agency_id, call.params["delivery_id"])
    return json_reply(views.delivery_view(replayed), status=202)
