"""The API's own description and a health check."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.api import ENDPOINTS, Call, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.config import get_settings

system_api = Blueprint(__name__)
_routes: dict[str, Any] = {}


schemas = ModelRefs("chalicelib.system.openapi")


def bind_routes(routes: dict[str, Any]) -> None:
    """Give the OpenAPI endpoint the app's route table (called once by app.py)."""
    _routes.clear()
    _routes.update(routes)
    openapi_document.cache_clear()


@cache
def openapi_document() -> dict[str, Any]:
    from chalicelib.system.openapi import build_document

    return build_document(_routes, ENDPOINTS, get_settings().issuer)


@endpoint(
    system_api,
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 document",
    tag="system",
    responses={200: Returns("Tài liệu OpenAPI 3.1")},
)
def openapi(call: Call) -> Response:
    return json_reply(openapi_document(), headers={"Cache-Control": "public, max-age=300"})


@endpoint(
    system_api,
    "/health",
    "GET",
    summary="Liveness check",
    tag="system",
    responses={200: Returns("Đang hoạt động", schemas.Health)},
)
def health(call: Call) -> Response:
    return json_reply({"status": "ok"})
