"""Demo data for the local stack: a citizen, a business, demo agencies each with an API client, and
one relying-party portal. Idempotent: what exists is left alone, so restarts keep edits.

Secrets are generated on first run and kept in the state folder (never committed) so that the
banner can print them every time; the tables hold only their digests.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_CITIZEN = {
    "identity_number": "001099000001",
    "full_name": "Nguyễn Văn Dân",
    "email": "dan@example.vn",
    "phone": "0912000001",
}
# Support staff (issue #16): citizen accounts granted a role, signing in with a TOTP code.
DEMO_STAFF = {
    "operator": {"identity_number": "001099000077", "full_name": "Trần Thị Tổng Đài", "email": "tongdai@example.vn"},
    "supervisor": {"identity_number": "001099000078", "full_name": "Lê Văn Giám Sát", "email": "giamsat@example.vn"},
}
DEMO_BUSINESS = {"tax_code": "0100109106", "full_name": "Công ty Cổ phần Dữ liệu Mẫu", "email": "lienhe@example.vn"}
PROVINCIAL_DEMO_AGENCY = "SO-TP.HN"
DEMO_AGENCIES = {
    "TTLLTPQG": "Trung tâm Lý lịch tư pháp quốc gia",
    "CSGT": "Cục Cảnh sát giao thông",
    # Issues ordinary passports (1.001471): a real procedure that is online with a fee in figures,
    # which the browser tests and a demo of payments need.
    "QLXNC": "Cục Quản lý xuất nhập cảnh",
    # The coordinating office (PORTAL_COORDINATING_AGENCY's default): it accepts complaints and
    # checks answers, so without its client no complaint could get past "received" locally.
    "VPCP": "Văn phòng Chính phủ",
    # A provincial agency: Hà Nội's office of the generic `SO-TP` (Sở Tư pháp), so it executes every
    # procedure the catalogue gives to SO-TP (`Procedure.serves`), e.g. 2.001895, 1.005136, 2.002038.
    PROVINCIAL_DEMO_AGENCY: "Sở Tư pháp thành phố Hà Nội",
    # The agencies of the linked groups (data/groups/): birth and death groups, worker support.
    "UBND-XA": "Ủy ban nhân dân cấp xã",
    "CA-XA": "Công an cấp xã",
    "BHXH-CS": "Bảo hiểm xã hội cơ sở",
    "UBND-TINH": "Ủy ban nhân dân cấp tỉnh",
}
# What every demo agency client may do; sandbox clients get the same (devstack.sandbox).
# Every scope an agency client may hold (chalicelib.agencies.service.AGENCY_SCOPES; a test keeps them equal).
AGENCY_SCOPES = (
    "agency:read",
    "dossiers:read",
    "dossiers:write",
    "complaints:answer",
    "payments:read",
    "webhooks:manage",
)
DEMO_RP = "cong-tinh-demo"
RP_CALLBACK = "http://127.0.0.1:8765/callback"
RP_HOME = "http://127.0.0.1:8765/"
CREDENTIALS_FILE = "demo-credentials.json"


@dataclass(frozen=True)
class DemoCredentials:
    values: dict[str, Any]

    def lines(self, issuer: str) -> list[str]:
        v = self.values
        lines = [
            f"  citizen         identity number {DEMO_CITIZEN['identity_number']}  password {v['citizen_password']}",
            f"  business        tax code {DEMO_BUSINESS['tax_code']}               password {v['business_password']}",
            f"  relying party   client_id {DEMO_RP}  client_secret {v['rp_secret']}",
            f"                  redirect_uri {RP_CALLBACK}  (client_secret_basic, PKCE S256)",
        ]
        for role, staff in DEMO_STAFF.items():
            lines.append(
                f"  {role:<15} identity number {staff['identity_number']}  password {v['staff'][role]['password']}"
                f"  TOTP secret {v['staff'][role]['totp']}  (console: /ho-tro/bang-dieu-khien/)"
            )
        for agency, secret in v["agency_secrets"].items():
            lines.append(f"  agency {agency:<9} client_id {_agency_client(agency)}  client_secret {secret}")
        lines.append(f"  discovery       {issuer}/.well-known/openid-configuration")
        return lines


def _agency_client(agency: str) -> str:
    return f"{agency.lower()}-motcua"


def load_or_create_credentials(folder: Path) -> DemoCredentials:
    path = folder / CREDENTIALS_FILE
    if path.exists():
        values = json.loads(path.read_text(encoding="utf-8"))
        missing = [agency for agency in DEMO_AGENCIES if agency not in values["agency_secrets"]]
        if not missing and "staff" in values:
            return DemoCredentials(values)
        values.setdefault("staff", _staff_secrets())
        # A state folder from before a demo agency was added: give the new ones secrets, keep the rest.
        values["agency_secrets"].update({agency: secrets.token_urlsafe(24) for agency in missing})
    else:
        values = {
            "citizen_password": f"Dan-{secrets.token_hex(4)}",
            "business_password": f"DoanhNghiep-{secrets.token_hex(4)}",
            "rp_secret": secrets.token_urlsafe(24),
            "agency_secrets": {agency: secrets.token_urlsafe(24) for agency in DEMO_AGENCIES},
            "staff": _staff_secrets(),
        }
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return DemoCredentials(values)


def _staff_secrets() -> dict[str, dict[str, str]]:
    from chalicelib.support.totp import new_secret

    return {role: {"password": f"TongDai-{secrets.token_hex(4)}", "totp": new_secret()} for role in DEMO_STAFF}


def seed_staff(credentials: DemoCredentials) -> list[str]:
    """The demo operator and supervisor, enrolled with the TOTP secrets the banner prints."""
    from chalicelib.sso import accounts
    from chalicelib.sso.schemas import CitizenRegistration
    from chalicelib.support import staff

    created = []
    for role, person in DEMO_STAFF.items():
        if accounts.find_by_identifier(person["identity_number"]) is not None:
            continue
        accounts.register(CitizenRegistration(**person, password=credentials.values["staff"][role]["password"]))
        member = staff.grant(person["identity_number"], role, "devstack seed")
        staff.enrol(member, credentials.values["staff"][role]["totp"])
        created.append(f"demo {role}")
    return created


def seed(credentials: DemoCredentials) -> list[str]:
    """Create whatever demo record is missing; returns what was created."""
    from chalicelib.sso import accounts
    from chalicelib.sso.clients import get_client, register_client
    from chalicelib.sso.schemas import BusinessRegistration, CitizenRegistration
    from chalicelib.store.accounts import Account

    values = credentials.values
    created = []
    if accounts.find_by_identifier(DEMO_CITIZEN["identity_number"]) is None:
        citizen = accounts.register(CitizenRegistration(**DEMO_CITIZEN, password=values["citizen_password"]))
        # The demo citizen stands for one verified in person (assurance level 2).
        citizen.update(actions=[Account.assurance_level.set(2)])
        created.append("demo citizen")
    if accounts.find_by_identifier(DEMO_BUSINESS["tax_code"]) is None:
        accounts.register(BusinessRegistration(**DEMO_BUSINESS, password=values["business_password"]))
        created.append("demo business")
    if get_client(DEMO_RP) is None:
        register_client(
            DEMO_RP,
            kind="relying_party",
            name="Cổng dịch vụ công tỉnh (bản mẫu)",
            scopes=["openid", "profile", "email", "phone"],
            redirect_uris=[RP_CALLBACK],
            post_logout_redirect_uris=[RP_HOME],
            secret=values["rp_secret"],
        )
        created.append("demo relying party")
    for agency, name in DEMO_AGENCIES.items():
        if get_client(_agency_client(agency)) is None:
            register_client(
                _agency_client(agency),
                kind="agency",
                name=f"Hệ thống một cửa — {name}",
                agency_id=agency,
                scopes=list(AGENCY_SCOPES),
                secret=values["agency_secrets"][agency],
            )
            created.append(f"agency client {agency}")
    from devstack.seed_linked import seed_worker_list

    created += seed_worker_list(DEMO_BUSINESS["tax_code"])
    return created + seed_staff(credentials)
