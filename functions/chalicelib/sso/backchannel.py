"""OpenID Connect Back-Channel Logout 1.0: tell relying parties that a sign-in has ended.

Each relying party that registered a `backchannel_logout_uri` and had tokens from the sign-in gets
a logout token (a JWT of type `logout+jwt`, signed like ID tokens, naming the person `sub` and the
sign-in `sid`, never a `nonce`) POSTed as `logout_token=...`. Deliveries run in parallel with a
short timeout and are logged; a relying party that misses one still finds its refresh tokens
revoked and its access tokens denied at the portal.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import new_id
from chalicelib.core.tokens import sign

EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_TYPE = "logout+jwt"
LOGOUT_TOKEN_SECONDS = 2 * 60
TIMEOUT_SECONDS = 5.0


class Notice(NamedTuple):
    client_id: str
    uri: str
    logout_token: str


def logout_token(client_id: str, account_id: str, sid: str) -> str:
    now = int(clock.now())
    claims = {
        "iss": get_settings().issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": new_id(),
        "sub": account_id,
        "sid": sid,
        "events": {EVENT: {}},
    }
    return sign(claims, LOGOUT_TOKEN_TYPE)


def notices(ended: list[tuple[str, str]], sid: str) -> list[Notice]:
    from chalicelib.sso.clients import get_client

    found = []
    for client_id, account_id in ended:
        client = get_client(client_id)
        if client is not None and client.backchannel_logout_uri:
            found.append(Notice(client_id, client.backchannel_logout_uri, logout_token(client_id, account_id, sid)))
    return found


def post(notice: Notice) -> int:
    body = urlencode({"logout_token": notice.logout_token}).encode()
    request = urllib.request.Request(
        notice.uri, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except OSError as error:
        return int(getattr(error, "code", 0) or 0)


def deliver_in_parallel(found: list[Notice]) -> None:
    def one(notice: Notice) -> None:
        status = post(notice)
        level = logging.INFO if 200 <= status < 300 else logging.WARNING
        log_event("backchannel_logout_sent", level, client_id=notice.client_id, status=status)

    threads = [threading.Thread(target=one, args=(notice,), daemon=True) for notice in found]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS + 1)


_delivery: Callable[[list[Notice]], None] = deliver_in_parallel


def use_delivery(new: Callable[[list[Notice]], None]) -> Callable[[list[Notice]], None]:
    """Swap how logout tokens are sent (tests); returns the previous way."""
    global _delivery
    previous, _delivery = _delivery, new
    return previous


def notify(ended: list[tuple[str, str]], sid: str) -> int:
    found = notices(ended, sid)
    if found:
        _delivery(found)
    return len(found)
