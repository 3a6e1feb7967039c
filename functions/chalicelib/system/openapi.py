"""The OpenAPI 3.1 document, generated from the route table and the pydantic models.

Chalice's own `generate-models` emits Swagger 2.0 without request or response schemas, so we walk
the app's routes, find the `Endpoint` each was declared with, and let pydantic write the schemas.
A route without a declaration still appears (marked `x-undocumented`) and a test fails on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from chalicelib.core.api import API_VERSION, FORM, JSON, MAX_PATH_PARAM, Endpoint, resolve
from chalicelib.core.auth import AGENCY_SCOPES
from chalicelib.core.validation import Reply
from chalicelib.sso.schemas import OAuthErrorReply

_PATH_PARAM = re.compile(r"{(\w+)}")

DESCRIPTION = f"""API of the public-service portal: single sign-on, accounts, dossiers, payments, complaints and
agency access.

**Versions.** Every answer carries `API-Version: {API_VERSION}`. Within a version, changes only add:
new operations, new optional request fields, new response fields (clients must ignore fields they
do not know). Anything else waits for a new version, served beside this one under `/v2/...` (paths
carry no version until then). An operation to be withdrawn is marked `deprecated` here and its
answers carry `Deprecation` (RFC 9745, the date it was announced) and `Sunset` (RFC 8594, the date
it stops), at least six months apart.

**Times** are ISO 8601 with Vietnam's offset (`2026-11-23T14:05:00+07:00`); dates are `YYYY-MM-DD`
(OAuth 2.0 fields keep their RFCs' numbers: `expires_in`, introspection's `exp` and `iat`).

**Errors** are `{{"error": {{"code", "message", "field"}}}}` with the right status (messages in Vietnamese);
the token endpoint answers in the OAuth 2.0 format. A path no operation declares is a 404 `not_found`.

**Rate limits.** Each agency system (client-credentials token) may send a number of requests per
minute (600 by default): every answer of an agency operation carries `RateLimit-Limit`,
`RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window ends); beyond the limit the
answer is a 429 with `Retry-After`. The gateway also throttles all traffic as an outer limit.
"""


class RowProblem(Reply):
    row: int = Field(description="Dòng trong tệp (dòng tiêu đề là 1)")
    column: str
    message: str


class ErrorDetail(Reply):
    code: str
    message: str
    field: str | None = None
    problems: list[RowProblem] | None = Field(
        default=None, description="Chỉ với invalid_rows: từng lỗi của danh sách tải lên, theo dòng và cột"
    )


class ErrorReply(Reply):
    error: ErrorDetail


class Health(Reply):
    status: str


def build_document(routes: Mapping[str, Mapping[str, Any]], endpoints: Iterable[Endpoint], issuer: str) -> dict:
    declared = {(spec.path, spec.method): spec for spec in endpoints}
    refs = _schemas(declared.values())
    paths: dict[str, dict[str, Any]] = {}
    for path, methods in sorted(routes.items()):
        for method in sorted(methods):
            spec = declared.get((path, method))
            operation = _operation(spec, refs) if spec else {"x-undocumented": True, "responses": {}}
            parameters = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "maxLength": MAX_PATH_PARAM},
                }
                for name in _PATH_PARAM.findall(path)
            ]
            if spec is not None and spec.query is not None:
                parameters += query_parameters(resolve(spec.query))
            if parameters:
                operation["parameters"] = parameters
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cổng Dịch vụ công — API",
            "version": "1.0.0",
            "description": DESCRIPTION,
        },
        "servers": [{"url": issuer}],
        "paths": paths,
        "components": {"schemas": refs.pop("$defs"), "securitySchemes": _security_schemes(issuer)},
    }


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One OpenAPI query parameter per field of a query model, with its JSON Schema (no `null`: a
    parameter is present with a value, or absent)."""
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        options = [option for option in field.get("anyOf", [field]) if option.get("type") != "null"]
        value = {**(options[0] if len(options) == 1 else {"anyOf": options})}
        value.pop("title", None)
        description = field.get("description")
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": value}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _schemas(specs: Iterable[Endpoint]) -> dict[str, Any]:
    models: set[tuple[type[BaseModel], str]] = {(ErrorReply, "serialization"), (OAuthErrorReply, "serialization")}
    for spec in specs:
        if spec.body is not None:
            models.add((resolve(spec.body), "validation"))
        models.update((resolve(answer.model), "serialization") for answer in spec.responses.values() if answer.model)
    keys, definitions = models_json_schema(
        sorted(models, key=lambda item: (item[0].__name__, item[1])), ref_template="#/components/schemas/{model}"
    )
    refs: dict[str, Any] = {f"{model.__name__}:{mode}": schema for (model, mode), schema in keys.items()}
    refs["$defs"] = definitions.get("$defs", {})
    return refs


def _operation(spec: Endpoint, refs: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": spec.view_name,
        "summary": spec.summary,
        "tags": [spec.tag],
        "responses": _responses(spec, refs),
    }
    if spec.body is not None:
        media = FORM if spec.body_media == FORM else JSON
        schema = refs[f"{resolve(spec.body).__name__}:validation"]
        operation["requestBody"] = {"required": True, "content": {media: {"schema": schema}}}
    if spec.deprecated is not None:
        operation["deprecated"] = True
        operation["description"] = f"Deprecated on {spec.deprecated.announced}; answers until {spec.deprecated.sunset}."
    if spec.access is not None:
        scheme = "userToken" if spec.access.kind == "user" else "agencyToken"
        operation["security"] = [{scheme: list(spec.access.scopes)}]
    return operation


def _responses(spec: Endpoint, refs: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    error = refs["OAuthErrorReply:serialization"] if spec.oauth_errors else refs["ErrorReply:serialization"]
    limited = spec.access is not None and spec.access.kind == "agency"  # `core.ratelimit`
    for status, answer in sorted(spec.responses.items()):
        entry: dict[str, Any] = {"description": answer.description}
        if answer.model is not None:
            entry["content"] = {answer.media: {"schema": refs[f"{resolve(answer.model).__name__}:serialization"]}}
        elif answer.media:
            entry["content"] = {answer.media: {"schema": _unmodelled(answer.media)}}
        if status >= 400:
            # An HTML error page is the route's own answer; input the edge refuses gets the JSON error shape.
            entry.setdefault("content", {}).setdefault(JSON, {"schema": error})
        headers = _headers(answer.headers if status >= 400 else (*answer.headers, *_success_headers(spec)))
        if headers:
            entry["headers"] = headers
        responses[str(status)] = entry
    if limited:
        responses.setdefault(
            "429",
            {
                "description": "Vượt giới hạn số yêu cầu mỗi phút của hệ thống cơ quan",
                "headers": {"Retry-After": _INTEGER_HEADER, **_RATE_LIMIT_HEADERS},
                "content": {JSON: {"schema": error}},
            },
        )
    if spec.body is not None:
        # A body with a missing or other Content-Type (or charset) is refused by the edge (`core.api._require_media`).
        unsupported = {JSON: {"schema": refs["ErrorReply:serialization"]}}
        responses.setdefault("415", {"description": "Kiểu nội dung không được hỗ trợ", "content": unsupported})
    if "4XX" not in responses:
        responses["4XX"] = {"description": "Lỗi của yêu cầu", "content": {JSON: {"schema": error}}}
    return responses


def _success_headers(spec: Endpoint) -> tuple[str, ...]:
    limits = tuple(_RATE_LIMIT_HEADERS) if spec.access is not None and spec.access.kind == "agency" else ()
    return limits + (_DEPRECATION if spec.deprecated is not None else ())


def _headers(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _RATE_LIMIT_HEADERS.get(name, {"schema": {"type": "string"}}) for name in names}


_DEPRECATION = ("Deprecation", "Sunset")
_INTEGER_HEADER = {"schema": {"type": "integer", "minimum": 0}}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {**_INTEGER_HEADER, "description": "Số yêu cầu được phép mỗi phút của hệ thống này"},
    "RateLimit-Remaining": {**_INTEGER_HEADER, "description": "Số yêu cầu còn lại trong phút hiện tại"},
    "RateLimit-Reset": {**_INTEGER_HEADER, "description": "Số giây đến khi bắt đầu phút mới"},
}


def _unmodelled(media: str) -> dict[str, Any]:
    """The schema of a body with no pydantic model: any JSON object, or text."""
    return {"type": "object"} if media == JSON else {"type": "string"}


def _security_schemes(issuer: str) -> dict[str, Any]:
    return {
        "userToken": {
            "type": "openIdConnect",
            "openIdConnectUrl": f"{issuer}/.well-known/openid-configuration",
            "description": "Access token of a signed-in citizen or business (authorization code + PKCE).",
        },
        "agencyToken": {
            "type": "oauth2",
            "description": "Access token of an agency system, bound to its agency id.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": f"{issuer}/oidc/token",
                    "scopes": dict(AGENCY_SCOPES),
                }
            },
        },
    }
