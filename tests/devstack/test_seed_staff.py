"""The demo support staff: an operator and a supervisor, enrolled with the TOTP secrets the banner
prints, added to a state folder from before issue #16 without touching the other secrets."""

from __future__ import annotations

import json

from chalicelib.store.base import create_tables
from devstack.seed import CREDENTIALS_FILE, DEMO_AGENCIES, DEMO_STAFF, load_or_create_credentials, seed_staff


def test_a_state_folder_from_before_the_support_centre_gets_staff_secrets_and_keeps_the_rest(tmp_path) -> None:
    old = {
        "citizen_password": "Dan-cu",
        "business_password": "DoanhNghiep-cu",
        "rp_secret": "bi-mat-cu",
        "agency_secrets": dict.fromkeys(DEMO_AGENCIES, "cu"),
    }
    (tmp_path / CREDENTIALS_FILE).write_text(json.dumps(old))
    values = load_or_create_credentials(tmp_path).values
    assert set(values["staff"]) == set(DEMO_STAFF)
    assert {key: values[key] for key in old} == old
    assert load_or_create_credentials(tmp_path).values == values, "written back, stable from then on"


def test_the_banner_prints_each_staff_members_number_password_and_totp_secret(tmp_path) -> None:
    credentials = load_or_create_credentials(tmp_path)
    banner = "\n".join(credentials.lines("http://127.0.0.1:8001"))
    for role, person in DEMO_STAFF.items():
        secrets = credentials.values["staff"][role]
        assert person["identity_number"] in banner and secrets["password"] in banner and secrets["totp"] in banner


def test_the_seeded_staff_are_enrolled_with_the_printed_secret_once(tmp_path) -> None:
    from moto import mock_aws

    from chalicelib.sso.accounts import find_by_identifier
    from chalicelib.support import staff

    credentials = load_or_create_credentials(tmp_path)
    with mock_aws():
        create_tables()
        assert seed_staff(credentials) == ["demo operator", "demo supervisor"]
        assert seed_staff(credentials) == []
        operator = find_by_identifier(DEMO_STAFF["operator"]["identity_number"])
        member = staff.find(operator.account_id)
        assert (member.role, member.totp_secret) == ("operator", credentials.values["staff"]["operator"]["totp"])
