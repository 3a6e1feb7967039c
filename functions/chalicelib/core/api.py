"""The route decorator every endpoint uses: the edge of the app.

`@endpoint(...)` registers a Chalice route and records what it takes and returns (for the OpenAPI
document). Around the handler it caps the body size, parses JSON or form bodies and query strings
into pydantic models (unknown fields refused), runs the declared authorisation, maps domain errors
to the one JSON error shape, adds security headers and writes one structured log line.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl

from chalice import Blueprint, CORSConfig, Response
from pydantic import BaseModel

from chalicelib.core.auth import Access, Principal, authenticate
from chalicelib.core.config import get_settings
from chalicelib.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PortalError,
    UnsupportedMediaType,
    error_body,
)
from chalicelib.core.logs import get_logger, log_event
from chalicelib.core.untrusted import check_tree, load_json
from chalicelib.core.validation import parse

if TYPE_CHECKING:
    from chalicelib.core.ratelimit import Quota

API_VERSION = "1"  # sent on every answer; see the versioning policy in `system.openapi`
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
MAX_PATH_PARAM = 100
MAX_QUERY_VALUE = 4000


class ModelRef(NamedTuple):
    """A pydantic model named without importing its module: importing app.py (the Lambda cold start)
    does not build every model of every route; each is imported when a request or the OpenAPI
    document first needs it."""

    module: str
    name: str

    def resolve(self) -> type[BaseModel]:
        model = getattr(importlib.import_module(self.module), self.name)
        assert isinstance(model, type) and issubclass(model, BaseModel), f"{self} is not a pydantic model"
        return model

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


class ModelRefs:
    """`schemas = ModelRefs("chalicelib.sso.schemas")`; `schemas.TokenRequest` is a `ModelRef`."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> ModelRef:
        return ModelRef(self._module, name)


class LazyModule:
    """A module imported on first attribute access, for route modules' services (see `ModelRef`)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


ModelLike = type[BaseModel] | ModelRef


def resolve(model: ModelLike) -> type[BaseModel]:
    return model.resolve() if isinstance(model, ModelRef) else model


class Returns(NamedTuple):
    """One documented response of an endpoint."""

    description: str
    model: ModelLike | None = None
    media: str = JSON
    headers: tuple[str, ...] = ()


class Deprecated(NamedTuple):
    """A route on its way out: announced on `announced`, answering until `sunset`, at least six months
    later. Its answers carry `Deprecation` (RFC 9745) and `Sunset` (RFC 8594); the document marks it."""

    announced: date
    sunset: date

    def headers(self) -> dict[str, str]:
        from email.utils import format_datetime

        def midnight(day: date) -> datetime:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)

        announced, sunset = midnight(self.announced), midnight(self.sunset)
        return {"Deprecation": f"@{int(announced.timestamp())}", "Sunset": format_datetime(sunset, usegmt=True)}


MIN_NOTICE = timedelta(days=183)


class Endpoint(NamedTuple):
    path: str
    method: str
    view_name: str
    summary: str
    tag: str
    responses: Mapping[int, Returns]
    body: ModelLike | None = None
    body_media: str = JSON
    query: ModelLike | None = None
    access: Access | None = None
    oauth_errors: bool = False
    max_body: int | None = None
    deprecated: Deprecated | None = None


class Call:
    """Everything a handler may read about the request, already validated."""

    __slots__ = (
        "body",
        "cookies",
        "headers",
        "params",
        "principal",
        "query",
        "quota",
        "raw_query",
        "request_id",
        "source_ip",
    )

    def __init__(
        self,
        params: dict[str, str],
        headers: Mapping[str, str],
        cookies: dict[str, str],
        request_id: str,
        source_ip: str,
        raw_query: dict[str, str] | None = None,
    ) -> None:
        self.params = params
        self.headers = headers
        self.cookies = cookies
        self.request_id = request_id
        self.source_ip = source_ip
        self.raw_query = raw_query or {}
        self.body: Any = None
        self.query: Any = None
        self.principal: Principal | None = None
        self.quota: Quota | None = None

    @property
    def user(self) -> Principal:
        assert self.principal is not None, "route declared no access"
        return self.principal

    @property
    def agency_id(self) -> str:
        """The calling agency system's agency (routes with `Access.agency(...)`)."""
        agency_id = self.user.agency_id
        if not agency_id:
            raise Forbidden("Mã truy cập không gắn với cơ quan nào.")
        return agency_id


ENDPOINTS: list[Endpoint] = []


@cache
def site_cors() -> CORSConfig:
    """Cross-origin access for the citizen site only. Tokens travel as bearer headers, never
    cookies, so no credentials are allowed; `Retry-After` is exposed for throttled requests."""
    return CORSConfig(
        allow_origin=get_settings().site_origin,
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After", "Location", "API-Version", "Deprecation", "Sunset"],
        max_age=600,
    )


Handler = Callable[[Call], Response]


def endpoint(
    blueprint: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    responses: Mapping[int, Returns],
    body: ModelLike | None = None,
    body_media: str = JSON,
    query: ModelLike | None = None,
    access: Access | None = None,
    oauth_errors: bool = False,
    max_body: int | None = None,
    cors: bool | None = None,
    deprecated: Deprecated | None = None,
) -> Callable[[Handler], Callable[..., Response]]:
    """`cors`: whether the citizen site may call the route from the browser; by default every route
    but the agency ones (their callers are servers). `deprecated`: see `Deprecated`."""
    browser = cors if cors is not None else access is None or access.kind == "user"
    if deprecated is not None and deprecated.sunset - deprecated.announced < MIN_NOTICE:
        raise ValueError(f"{method} {path}: a deprecated route answers for at least six months")

    def decorate(handler: Handler) -> Callable[..., Response]:
        spec = Endpoint(
            path,
            method,
            handler.__name__,
            summary,
            tag,
            responses,
            body,
            body_media,
            query,
            access,
            oauth_errors,
            max_body,
            deprecated,
        )
        ENDPOINTS.append(spec)

        def view(**params: str) -> Response:
            return _dispatch(spec, handler, blueprint.current_request, params)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        view.__wrapped__ = handler  # type: ignore[attr-defined]
        cors_config = site_cors() if browser else None
        # Chalice's own check takes a missing Content-Type for JSON and lets `*/*` or a list through;
        # `_require_media` checks a body's type exactly, and answers in the route's own error format.
        blueprint.route(path, methods=[method], content_types=["*/*"], cors=cors_config)(view)
        return view

    return decorate


def json_reply(model: BaseModel | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    payload = model.model_dump(mode="json", exclude_none=True) if isinstance(model, BaseModel) else model
    return Response(body=payload, status_code=status, headers={"Content-Type": JSON, **(headers or {})})


def html_reply(page: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=page, status_code=status, headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    )


def redirect(location: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body="", status_code=302, headers={"Location": location, **(headers or {})})


def _dispatch(spec: Endpoint, handler: Handler, request: Any, params: dict[str, str]) -> Response:
    started = time.perf_counter()
    context = getattr(request, "context", None) or {}
    request_id = str(context.get("requestId", ""))
    call: Call | None = None
    try:
        call = _make_call(spec, request, params, request_id)
        response = handler(call)
    except PortalError as error:
        response = _error_response(spec, error)
    except Exception:
        get_logger().exception("unhandled_error", extra={"route": spec.path, "request_id": request_id})
        response = _error_response(spec, _Internal("Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."))
    _add_security_headers(response)
    if call is not None and call.quota is not None:
        response.headers.update(call.quota.headers())
    if spec.deprecated is not None:
        response.headers.update(spec.deprecated.headers())
    log_event(
        "request",
        method=spec.method,
        route=spec.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        request_id=request_id,
    )
    return response


class _Internal(PortalError):
    status = 500
    code = "internal_error"


def _make_call(spec: Endpoint, request: Any, params: dict[str, str], request_id: str) -> Call:
    headers = {key.lower(): value for key, value in (request.headers or {}).items()}
    raw = request.raw_body or b""
    if len(raw) > (spec.max_body or get_settings().max_body_bytes):
        raise PayloadTooLarge("Nội dung yêu cầu vượt quá kích thước cho phép.")
    identity = (getattr(request, "context", None) or {}).get("identity") or {}
    call = Call(
        params=params,
        headers=headers,
        cookies=_cookies(headers.get("cookie", "")),
        request_id=request_id,
        source_ip=str(identity.get("sourceIp", "")),
        raw_query=_single_values(_query_pairs(request)),
    )
    if spec.access is not None:
        call.principal = authenticate(headers, spec.access, method=spec.method, url=_url(spec, params))
        if call.principal.kind == "agency":
            from chalicelib.core.ratelimit import agency_request  # the grants table, only when needed

            call.quota = agency_request(call.principal.client_id)
    _check_address(params, call.raw_query)
    if spec.query is not None:
        call.query = parse(resolve(spec.query), call.raw_query)
    if spec.body is not None:
        call.body = parse(resolve(spec.body), _body_data(spec, raw, headers.get("content-type")))
    return call


def _url(spec: Endpoint, params: dict[str, str]) -> str:
    """The request's URL as a DPoP proof names it: the issuer's base and the route with its values."""
    from urllib.parse import quote

    path = spec.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return get_settings().issuer + path


def _check_address(params: dict[str, str], query: dict[str, str]) -> None:
    """Path parameters within the length the OpenAPI document gives them (longer ones name nothing, and
    some would exceed DynamoDB's key size), query values within a sane length, and both valid text."""
    if any(len(value) > MAX_PATH_PARAM for value in params.values()):
        raise NotFound("Không tìm thấy tài nguyên.")
    for name, value in query.items():
        if len(value) > MAX_QUERY_VALUE:
            raise InvalidInput("Giá trị tham số quá dài.", field=name[:100])
    check_tree([params, query], what="Địa chỉ yêu cầu")


def _query_pairs(request: Any) -> list[tuple[str, str]]:
    query = request.query_params
    if not query:
        return []
    return [(key, value) for key in query for value in query.getlist(key)]


def _single_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values:
            raise InvalidInput("Tham số bị lặp lại.", field=key)
        values[key] = value
    return values


def _body_data(spec: Endpoint, raw: bytes, content_type: str | None) -> Any:
    if not raw:
        raise InvalidInput("Thiếu nội dung yêu cầu.")
    _require_media(spec.body_media, content_type)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("Nội dung yêu cầu phải được mã hoá UTF-8.") from None
    if spec.body_media == FORM:
        return _single_values(parse_qsl(text, keep_blank_values=True))
    return load_json(text)


def _require_media(expected: str, content_type: str | None) -> None:
    """The body's declared type must be exactly the route's, in UTF-8. Chalice takes a missing
    Content-Type for JSON and accepts `*/*` or a list; a body is read only as what it says it is."""
    media, _, parameters = (content_type or "").partition(";")
    charset = dict(_parameter(part) for part in parameters.split(";") if part.strip()).get("charset", "utf-8")
    if media.strip().lower() != expected or charset.strip('"').lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"Nội dung phải có Content-Type: {expected}; charset=utf-8.")


def _parameter(part: str) -> tuple[str, str]:
    name, _, value = part.partition("=")
    return name.strip().lower(), value.strip()


def _cookies(header: str) -> dict[str, str]:
    from http.cookies import CookieError, SimpleCookie  # only the sign-in routes read cookies

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _error_response(spec: Endpoint, error: PortalError) -> Response:
    if spec.oauth_errors:
        oauth_code = getattr(error, "oauth_code", "invalid_request")
        body: dict[str, Any] = {"error": oauth_code, "error_description": error.message}
    else:
        body = error.body()
    if error.status >= 500:
        log_event("error_response", logging.ERROR, route=spec.path, status=error.status)
    return Response(body=body, status_code=error.status, headers={"Content-Type": JSON, **error.headers})


def _add_security_headers(response: Response) -> None:
    headers = response.headers
    headers.setdefault("API-Version", API_VERSION)
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")


def normalise_framework_errors(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware: give Chalice's own errors (405, 415, unhandled 500) the one JSON shape."""
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code = "internal_error" if response.status_code >= 500 else _snake(str(body["Code"]))
        message = _FRAMEWORK_MESSAGES.get(response.status_code, "Yêu cầu không hợp lệ.")
        response.body = error_body(code, message)
        response.headers["Content-Type"] = JSON
        _add_security_headers(response)
    return response


_FRAMEWORK_MESSAGES = {
    405: "Phương thức HTTP này không được hỗ trợ tại địa chỉ này.",
    415: "Kiểu nội dung (Content-Type) không được hỗ trợ.",
    500: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút.",
}


def _snake(name: str) -> str:
    name = name.removesuffix("Error")
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name).lstrip("_")
