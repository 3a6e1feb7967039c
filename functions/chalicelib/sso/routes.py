"""OpenID Connect provider endpoints: discovery, JWKS, authorize (code + PKCE), token, revocation,
introspection, userinfo, logout (with back-channel logout to relying parties)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.core.api import (
    FORM,
    HTML,
    Call,
    LazyModule,
    ModelRefs,
    Returns,
    endpoint,
    html_reply,
    json_reply,
    redirect,
)
from chalicelib.core.auth import AGENCY_SCOPES, Access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import InvalidInput, TooManyRequests, Unauthenticated
from chalicelib.core.logs import log_event

if TYPE_CHECKING:
    from chalicelib.sso.schemas import SignInForm, UserInfo

oidc_api = Blueprint(__name__)
# Imported on first use (see core.api.ModelRef): a cold start pays only for the route it serves.
accounts = LazyModule("chalicelib.sso.accounts")
authorize = LazyModule("chalicelib.sso.authorize")
clients = LazyModule("chalicelib.sso.clients")
issuance = LazyModule("chalicelib.sso.issuance")
par = LazyModule("chalicelib.sso.par")
revocation = LazyModule("chalicelib.sso.revocation")
backchannel = LazyModule("chalicelib.sso.backchannel")
pages = LazyModule("chalicelib.sso.pages")
second_factor = LazyModule("chalicelib.support.second_factor")
signin_pages = LazyModule("chalicelib.support.signin_pages")
tokens = LazyModule("chalicelib.core.tokens")
schemas = ModelRefs("chalicelib.sso.schemas")

SESSION_COOKIE = "dvc_session"
REQUEST_COOKIE = "dvc_authreq"
_PAGE = Returns("Trang HTML", media=HTML)
_REDIRECT = Returns("Chuyển hướng về relying party (code hoặc error)", media="", headers=("Location",))
_PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}


def discovery_document() -> dict[str, Any]:
    issuer = get_settings().issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oidc/authorize",
        "token_endpoint": f"{issuer}/oidc/token",
        "userinfo_endpoint": f"{issuer}/oidc/userinfo",
        "jwks_uri": f"{issuer}/oidc/jwks",
        "end_session_endpoint": f"{issuer}/oidc/logout",
        "pushed_authorization_request_endpoint": f"{issuer}/oidc/par",
        "require_pushed_authorization_requests": False,
        "dpop_signing_alg_values_supported": ["ES256", "PS256", "RS256", "EdDSA"],
        "revocation_endpoint": f"{issuer}/oidc/revoke",
        "introspection_endpoint": f"{issuer}/oidc/introspect",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256", "PS256"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": sorted(authorize.SUPPORTED_SCOPES | set(AGENCY_SCOPES)),
        "claims_supported": [
            "sub",
            "name",
            "account_type",
            "identity_number",
            "tax_code",
            "email",
            "phone_number",
            "acr",
            "amr",
            "auth_time",
            "nonce",
            "sid",
        ],
        "acr_values_supported": [accounts.acr_of(1), accounts.acr_of(2)],
        "prompt_values_supported": ["none", "login"],
        "authorization_response_iss_parameter_supported": True,
        "ui_locales_supported": ["vi"],
        "request_parameter_supported": False,
        "claims_parameter_supported": False,
    }


@endpoint(
    oidc_api,
    "/.well-known/openid-configuration",
    "GET",
    summary="OpenID Connect discovery",
    tag="oidc",
    responses={200: Returns("Cấu hình nhà cung cấp định danh", schemas.Discovery)},
)
def openid_configuration(call: Call) -> Response:
    return json_reply(discovery_document(), headers=_PUBLIC_CACHE)


@endpoint(
    oidc_api,
    "/oidc/jwks",
    "GET",
    summary="Public signing keys (JWKS)",
    tag="oidc",
    responses={200: Returns("Khoá công khai, kể cả khoá sắp dùng hoặc sắp thôi dùng khi xoay vòng", schemas.Jwks)},
)
def jwks(call: Call) -> Response:
    return json_reply(tokens.keyset().jwks(), headers=_PUBLIC_CACHE)


@endpoint(
    oidc_api,
    "/oidc/authorize",
    "GET",
    summary="Authorization endpoint (code + PKCE S256)",
    tag="oidc",
    query=schemas.AuthorizationQuery,
    responses={200: _PAGE, 302: _REDIRECT, 400: _PAGE},
)
def authorization(call: Call) -> Response:
    params = call.raw_query
    if "request_uri" in params:  # a pushed request (RFC 9126): only client_id may come beside it
        pushed = par.take(params.get("client_id", ""), params["request_uri"])
        if pushed is None:
            message = "Yêu cầu đăng nhập đã hết hạn hoặc đã được dùng. Hãy quay lại trang dịch vụ và bắt đầu lại."
            return html_reply(pages.problem_page(message), 400, pages.security_headers())
        params = pushed
    try:
        client, request = authorize.validate_request(params)
        if client.fapi and "request_uri" not in call.raw_query:
            raise authorize.RedirectableError("invalid_request", "Pushed authorization requests are required.", request)
    except authorize.UntrustedRedirect as problem:
        return html_reply(pages.problem_page(problem.message), 400, pages.security_headers())
    except authorize.RedirectableError as problem:
        return redirect(problem.location())
    session = authorize.find_session(call.cookies.get(SESSION_COOKIE))
    if session is not None and request.get("prompt") != "login":
        code = authorize.issue_code(request, session, lifetime=_code_lifetime(client))
        return redirect(authorize.redirect_with(request, {"code": code}))
    if request.get("prompt") == "none":
        return redirect(authorize.redirect_with(request, {"error": "login_required"}))
    request_id = authorize.remember_request(request)
    page = pages.sign_in_page(action=_action(), request_id=request_id, client_name=client.name)
    headers = {**pages.security_headers(request["redirect_uri"]), "Set-Cookie": _cookie(REQUEST_COOKIE, request_id)}
    return html_reply(page, headers=headers)


@endpoint(
    oidc_api,
    "/oidc/authorize",
    "POST",
    summary="Sign-in form submission",
    tag="oidc",
    body=schemas.SignInForm,
    body_media=FORM,
    responses={302: _REDIRECT, 400: _PAGE, 401: _PAGE, 429: _PAGE},
)
def sign_in(call: Call) -> Response:
    form: SignInForm = call.body
    request = authorize.recall_request(form.request_id)
    if request is None or call.cookies.get(REQUEST_COOKIE) != form.request_id:
        message = "Phiên đăng nhập đã hết hạn. Hãy quay lại trang dịch vụ và bắt đầu lại."
        return html_reply(pages.problem_page(message), 400, pages.security_headers())
    client = clients.get_client(request["client_id"])
    try:
        if not form.identifier or not form.password:
            raise InvalidInput("Hãy nhập số định danh/mã số thuế và mật khẩu.")
        signed_in = accounts.sign_in(form.identifier, form.password)
    except (InvalidInput, Unauthenticated, TooManyRequests) as problem:
        page = pages.sign_in_page(
            action=_action(),
            request_id=form.request_id,
            client_name=client.name if client else "",
            identifier=form.identifier,
            error=problem.message,
        )
        return html_reply(page, problem.status, {**pages.security_headers(request["redirect_uri"]), **problem.headers})
    pending = second_factor.begin(signed_in.account, form.request_id)  # support staff: a TOTP code next
    if pending is not None:
        page = signin_pages.second_factor_page(
            action=f"{_action()}/second-factor",
            request_id=form.request_id,
            token=pending.token,
            enrolment=pending.enrolment,
        )
        return html_reply(page, headers=pages.security_headers(request["redirect_uri"]))
    return _signed_in(request, client, signed_in.account, signed_in.amr, form.request_id)


def _signed_in(request: dict[str, str], client: Any, account: Any, amr: tuple[str, ...], request_id: str) -> Response:
    cookie, session = authorize.start_session(account, amr)
    authorize.forget_request(request_id)
    code = authorize.issue_code(request, session, lifetime=_code_lifetime(client))
    location = authorize.redirect_with(request, {"code": code})
    return redirect(location, {"Set-Cookie": [_cookie(SESSION_COOKIE, cookie), _expired(REQUEST_COOKIE)]})


@endpoint(
    oidc_api,
    "/oidc/authorize/second-factor",
    "POST",
    summary="Second sign-in step of support staff: a TOTP (RFC 6238) or recovery code",
    tag="oidc",
    body=ModelRefs("chalicelib.support.schemas").SecondFactorForm,
    body_media=FORM,
    responses={200: _PAGE, 302: _REDIRECT, 400: _PAGE, 429: _PAGE},
)
def second_factor_step(call: Call) -> Response:
    form = call.body
    request = authorize.recall_request(form.request_id)
    pending = second_factor.resume(form.token, form.request_id) if request is not None else None
    if request is None or pending is None or call.cookies.get(REQUEST_COOKIE) != form.request_id:
        message = "Phiên đăng nhập đã hết hạn. Hãy quay lại trang dịch vụ và bắt đầu lại."
        return html_reply(pages.problem_page(message), 400, pages.security_headers())
    headers = pages.security_headers(request["redirect_uri"])
    try:
        account, recovery_codes = second_factor.complete(pending, form.code)
    except (InvalidInput, TooManyRequests) as problem:
        page = signin_pages.second_factor_page(
            action=f"{_action()}/second-factor",
            request_id=form.request_id,
            token=form.token,
            enrolment=pending.enrolment,
            error=problem.message,
        )
        return html_reply(page, problem.status, {**headers, **problem.headers})
    answer = _signed_in(request, clients.get_client(request["client_id"]), account, second_factor.AMR, form.request_id)
    if not recovery_codes:
        return answer
    page = signin_pages.recovery_codes_page(codes=recovery_codes, next_url=answer.headers["Location"])
    return html_reply(page, headers={**headers, "Set-Cookie": answer.headers["Set-Cookie"]})


@endpoint(
    oidc_api,
    "/oidc/token",
    "POST",
    summary="Token endpoint",
    tag="oidc",
    body=schemas.TokenRequest,
    body_media=FORM,
    oauth_errors=True,
    responses={
        200: Returns("Mã truy cập", schemas.TokenReply),
        400: Returns("Lỗi OAuth 2.0", schemas.OAuthErrorReply),
        401: Returns("Ứng dụng không xác thực được", schemas.OAuthErrorReply),
    },
)
def token(call: Call) -> Response:
    client = clients.authenticate_client(call.body, call.headers)
    reply = issuance.grant_tokens(client, call.body, _dpop_key(call, client, "token"))
    return json_reply(reply, headers={"Pragma": "no-cache"})


@endpoint(
    oidc_api,
    "/oidc/revoke",
    "POST",
    summary="Token revocation (RFC 7009): a refresh token revokes its family, an access token itself",
    tag="oidc",
    body=schemas.RevocationRequest,
    body_media=FORM,
    oauth_errors=True,
    responses={
        200: Returns("Đã thu hồi (hoặc không có gì để thu hồi)", media=""),
        401: Returns("Ứng dụng không xác thực được", schemas.OAuthErrorReply),
    },
)
def revoke(call: Call) -> Response:
    client = clients.authenticate(call.body, call.headers, public=True)
    revocation.revoke(client, call.body.token, call.body.token_type_hint)
    return Response(body="", status_code=200)


@endpoint(
    oidc_api,
    "/oidc/introspect",
    "POST",
    summary="Token introspection (RFC 7662) for the client the token was issued to",
    tag="oidc",
    body=schemas.IntrospectionRequest,
    body_media=FORM,
    oauth_errors=True,
    responses={
        200: Returns("Trạng thái của mã", schemas.Introspection),
        401: Returns("Ứng dụng không xác thực được", schemas.OAuthErrorReply),
    },
)
def introspect(call: Call) -> Response:
    client = clients.authenticate(call.body, call.headers, public=False)
    return json_reply(revocation.introspect(client, call.body.token, call.body.token_type_hint))


@endpoint(
    oidc_api,
    "/oidc/par",
    "POST",
    summary="Pushed authorization request (RFC 9126): the request first, server to server",
    tag="oidc",
    body=schemas.PushedAuthorizationRequest,
    body_media=FORM,
    oauth_errors=True,
    responses={
        201: Returns("request_uri để chuyển người dùng tới trang đăng nhập", schemas.PushedAuthorizationReply),
        400: Returns("Lỗi OAuth 2.0", schemas.OAuthErrorReply),
        401: Returns("Ứng dụng không xác thực được", schemas.OAuthErrorReply),
    },
)
def pushed_authorization(call: Call) -> Response:
    form = call.body
    client = clients.authenticate(form, call.headers, public=True)
    auth_fields = {"client_assertion", "client_assertion_type"}
    params = {name: str(value) for name, value in form.model_dump(exclude_none=True).items() if name not in auth_fields}
    request_uri = par.push(client, params)
    return json_reply({"request_uri": request_uri, "expires_in": par.LIFETIME_SECONDS}, 201, {"Pragma": "no-cache"})


def _code_lifetime(client: Any) -> float:
    return authorize.FAPI_CODE_SECONDS if client is not None and client.fapi else authorize.CODE_SECONDS


def _dpop_key(call: Call, client: Any, endpoint_name: str) -> str | None:
    """The thumbprint of the key a DPoP proof (RFC 9449) binds the tokens to; required for FAPI 2.0 clients."""
    from chalicelib.core.dpop import InvalidProof, verify_proof
    from chalicelib.core.errors import OAuthProblem

    proof = call.headers.get("dpop")
    if proof is None:
        if client.fapi:
            raise OAuthProblem("invalid_dpop_proof", "Ứng dụng FAPI 2.0 phải gửi bằng chứng DPoP.")
        return None
    try:
        return verify_proof(proof, method="POST", url=f"{get_settings().issuer}/oidc/{endpoint_name}")
    except InvalidProof:
        raise OAuthProblem("invalid_dpop_proof", "Bằng chứng DPoP không hợp lệ.") from None


_USERINFO = {200: Returns("Thông tin người dùng", schemas.UserInfo)}


@endpoint(
    oidc_api, "/oidc/userinfo", "GET", summary="UserInfo", tag="oidc", access=Access.user("openid"), responses=_USERINFO
)
def userinfo(call: Call) -> Response:
    return json_reply(_userinfo(call))


@endpoint(
    oidc_api,
    "/oidc/userinfo",
    "POST",
    summary="UserInfo (POST)",
    tag="oidc",
    access=Access.user("openid"),
    responses=_USERINFO,
)
def userinfo_post(call: Call) -> Response:
    return json_reply(_userinfo(call))


def _userinfo(call: Call) -> UserInfo:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise Unauthenticated("Tài khoản không còn tồn tại.")
    claims: dict[str, Any] = {"sub": account.account_id, **issuance.identity_claims(account)}
    claims["acr"] = accounts.acr_of(account.assurance_level)
    if "email" in call.user.scopes:
        claims["email"] = account.email
    if "phone" in call.user.scopes:
        claims["phone_number"] = account.phone
    from chalicelib.sso.schemas import UserInfo

    return UserInfo(**claims)


@endpoint(
    oidc_api,
    "/oidc/logout",
    "GET",
    summary="RP-initiated logout (end session)",
    tag="oidc",
    query=schemas.LogoutQuery,
    responses={200: _PAGE, 302: _REDIRECT, 400: _PAGE},
)
def logout(call: Call) -> Response:
    query = call.raw_query
    target = query.get("post_logout_redirect_uri")
    hint = _hint_claims(query.get("id_token_hint"))
    client_id = str(hint["aud"]) if hint else query.get("client_id")
    client = clients.get_client(client_id) if client_id else None
    if target is not None and (client is None or target not in client.post_logout_redirect_uris):
        message = "Địa chỉ quay lại sau khi đăng xuất không khớp với địa chỉ đã đăng ký."
        return html_reply(pages.problem_page(message), 400, pages.security_headers())
    # The sign-in ends: from the session cookie, or the one a genuine ID token names.
    sid = authorize.end_session(call.cookies.get(SESSION_COOKIE)) or (str(hint.get("sid", "")) if hint else "")
    if sid:
        backchannel.notify(revocation.end_sign_in(sid), sid)
    log_event("signed_out", client_id=client_id)
    cleared = {"Set-Cookie": _expired(SESSION_COOKIE)}
    if target is None:
        return html_reply(pages.signed_out_page(), headers={**pages.security_headers(), **cleared})
    return redirect(authorize.append_query(target, {"state": query.get("state", "")}), cleared)


def _hint_claims(hint: str | None) -> dict[str, Any] | None:
    """The claims of an ID token we issued (its `aud` is the relying party); expired hints are fine,
    forged ones are not."""
    if not hint:
        return None
    import jwt

    try:
        audience = jwt.decode(hint, options={"verify_signature": False}).get("aud")
        return tokens.verify(hint, audience=str(audience), allow_expired=True)
    except (jwt.PyJWTError, tokens.InvalidToken, RecursionError):  # PyJWT's json.loads recurses on nesting
        return None


def _action() -> str:
    return f"{get_settings().issuer}/oidc/authorize"


def _cookie_path() -> str:
    """`/oidc` under the issuer's own path: on API Gateway the issuer ends with the stage (`/api`)."""
    from urllib.parse import urlsplit

    return f"{urlsplit(get_settings().issuer).path.rstrip('/')}/oidc"


def _cookie(name: str, value: str) -> str:
    secure = "; Secure" if get_settings().secure_cookies else ""
    return f"{name}={value}; Path={_cookie_path()}; HttpOnly; SameSite=Lax{secure}"


def _expired(name: str) -> str:
    return f"{name}=; Path={_cookie_path()}; HttpOnly; SameSite=Lax; Max-Age=0"
