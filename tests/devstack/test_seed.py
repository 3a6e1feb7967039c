"""The local stack's demo credentials: created once, kept across restarts, completed when a demo agency is added."""

from __future__ import annotations

import json

from devstack.seed import CREDENTIALS_FILE, DEMO_AGENCIES, load_or_create_credentials


def test_the_coordinating_office_is_a_demo_agency_so_complaints_can_be_handled_locally():
    assert "VPCP" in DEMO_AGENCIES


def test_a_state_folder_from_before_an_agency_was_added_gets_its_secret_and_keeps_the_others(tmp_path):
    old = {
        "citizen_password": "Dan-cu",
        "business_password": "DoanhNghiep-cu",
        "rp_secret": "bi-mat-cu",
        "agency_secrets": {"TTLLTPQG": "a", "CSGT": "b"},
    }
    (tmp_path / CREDENTIALS_FILE).write_text(json.dumps(old))
    values = load_or_create_credentials(tmp_path).values
    assert set(values["agency_secrets"]) == set(DEMO_AGENCIES)
    assert {key: values[key] for key in old if key != "agency_secrets"} == {
        key: old[key] for key in old if key != "agency_secrets"
    }
    assert values["agency_secrets"]["CSGT"] == "b"
    assert load_or_create_credentials(tmp_path).values == values, "written back, stable from then on"


def test_demo_and_sandbox_clients_get_every_scope_an_agency_may_hold():
    from chalicelib.agencies.service import AGENCY_SCOPES as ALLOWED
    from devstack.seed import AGENCY_SCOPES

    assert set(AGENCY_SCOPES) == ALLOWED
