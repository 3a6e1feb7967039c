"""The registry of OAuth clients: relying-party portals and agency systems."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class ByAgency(GlobalSecondaryIndex["Client"]):
    """Sparse: only agency systems carry `agency_id`."""

    class Meta:
        index_name = "by-agency"
        projection = AllProjection()

    agency_id = UnicodeAttribute(hash_key=True)


class Client(Model):
    Meta = table_meta("clients")

    client_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # "relying_party" | "agency"
    name = UnicodeAttribute()
    agency_id = UnicodeAttribute(null=True)  # agency systems only
    auth_method = UnicodeAttribute()  # "client_secret_basic" | "private_key_jwt" | "none" (the public web client)
    secret_digest = UnicodeAttribute(null=True)
    jwks = UnicodeAttribute(null=True)  # the client's public keys (JSON), for private_key_jwt
    redirect_uris = ListAttribute(of=UnicodeAttribute, default=list)
    post_logout_redirect_uris = ListAttribute(of=UnicodeAttribute, default=list)
    backchannel_logout_uri = UnicodeAttribute(null=True)  # OpenID Connect Back-Channel Logout 1.0
    fapi = BooleanAttribute(default=False)  # FAPI 2.0 security profile: PAR, DPoP, private_key_jwt, 60 s codes
    scopes = UnicodeSetAttribute(default=set)
    sandbox = BooleanAttribute(default=False)  # a self-service test client (`python -m devstack.sandbox`)
    created_at = NumberAttribute()
    by_agency = ByAgency()
