"""Pushed authorization requests (RFC 9126): the client sends the authorization request to the
portal first, server to server and authenticated, and the browser carries only a `request_uri`.

Nothing in the front channel can be altered or read (scope, redirect URI, PKCE challenge), and the
portal knows which client asked before the person sees a page. Relying parties registered for the
FAPI 2.0 security profile must use it; any other may. A `request_uri` lives 60 seconds and is used
once.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.core import clock
from chalicelib.core.errors import OAuthProblem
from chalicelib.core.secrets import digest, new_secret
from chalicelib.sso.authorize import RedirectableError, UntrustedRedirect, validate_request
from chalicelib.store.base import condition_failed
from chalicelib.store.clients import Client
from chalicelib.store.grants import Grant, expiry

PREFIX = "urn:ietf:params:oauth:request_uri:"
LIFETIME_SECONDS = 60


def push(client: Client, params: dict[str, str]) -> str:
    """Check the request as the authorization endpoint would and keep it; returns its `request_uri`."""
    if params.get("client_id", client.client_id) != client.client_id:
        raise OAuthProblem("invalid_request", "client_id không khớp với ứng dụng đã xác thực.")
    try:
        _client, kept = validate_request({**params, "client_id": client.client_id})
    except UntrustedRedirect as problem:
        raise OAuthProblem("invalid_request", problem.message) from None
    except RedirectableError as problem:
        raise OAuthProblem(problem.error, problem.description) from None
    reference = new_secret()
    Grant(
        Grant.key_of("par", digest(reference)),
        kind="par",
        client_id=client.client_id,
        data=kept,
        created_at=clock.now(),
        expires_at=expiry(LIFETIME_SECONDS),
    ).save()
    return PREFIX + reference


def take(client_id: str, request_uri: str) -> dict[str, str] | None:
    """The pushed request, once, for the client that pushed it; None if unknown, spent or expired."""
    if not request_uri.startswith(PREFIX):
        return None
    grant = Grant.find(Grant.key_of("par", digest(request_uri.removeprefix(PREFIX))))
    if grant is None or grant.kind != "par" or grant.client_id != client_id or not grant.is_live():
        return None
    try:
        grant.update(actions=[Grant.used.set(True)], condition=Grant.used == False)  # noqa: E712
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return dict(grant.data)
