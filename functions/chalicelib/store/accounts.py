"""Citizen and business accounts, and the login names that must stay unique across them."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class Account(Model):
    Meta = table_meta("accounts", stream=True)

    account_id = UnicodeAttribute(hash_key=True)
    account_type = UnicodeAttribute()  # "citizen" | "business"
    identifier = UnicodeAttribute()  # 12-digit identity number or tax code
    full_name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    assurance_level = NumberAttribute(default=1)
    password_hash = UnicodeAttribute()
    password_changed_at = NumberAttribute()
    created_at = NumberAttribute()
    version = VersionAttribute()


class LoginName(Model):
    """`citizen#001234567890` or `business#0100109106` -> account id.

    Written in the same transaction as the account, with a condition that it does not exist, so
    two registrations racing for one identity number cannot both win.
    """

    Meta = table_meta("login-names")

    login = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()

    @staticmethod
    def key(account_type: str, identifier: str) -> str:
        return f"{account_type}#{identifier}"
