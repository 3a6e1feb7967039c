"""Demo data of linked processing: a worker-support list (ho-tro-tam-hoan-hop-dong) uploaded by the
demo business, waiting at its first step (Bảo hiểm xã hội cơ sở), so the chain can be tried at once."""

from __future__ import annotations

WORKER_GROUP = "ho-tro-tam-hoan-hop-dong"
WORKERS = [
    ("001090000101", "Nguyễn Văn Bình", "1990-03-12"),
    ("001091000102", "Trần Thị Chi", "1991-07-01"),
    ("001088000103", "Lê Văn Dũng", "1988-11-23"),
    ("001095000104", "Phạm Thị Hoa", "1995-02-14"),
    ("001093000105", "Hoàng Văn Khánh", "1993-09-30"),
    ("001087000106", "Vũ Thị Lan", "1987-05-05"),
]


def seed_worker_list(tax_code: str) -> list[str]:
    """Upload the demo list once (none from the demo business yet); nothing without the catalogue's export."""
    from chalicelib.core.errors import NotFound
    from chalicelib.linked.definitions import get_group
    from chalicelib.linked.lists import create_list
    from chalicelib.sso import accounts
    from chalicelib.store.linked import LinkedList

    business = accounts.find_by_identifier(tax_code)
    try:
        definition = get_group(WORKER_GROUP)
    except NotFound:
        return []  # the catalogue has not been built yet: the next start seeds it
    if business is None or any(LinkedList.scan(LinkedList.submitter_id == business.account_id)):
        return []
    rows = [
        (
            number,
            {
                "so_dinh_danh": identity,
                "ho_ten": name,
                "ngay_sinh": born,
                "so_so_bhxh": f"01{identity[-8:]}",
                "tu_ngay": "2021-07-01",
                "so_thang": "2",
                "muc_ho_tro": "3710000",
            },
        )
        for number, (identity, name, born) in enumerate(WORKERS, start=2)
    ]
    found = create_list(
        definition, business.account_id, business.full_name, "Danh sách mẫu, đợt 1 (tháng 7/2021)", rows
    )
    return [f"worker-support list {found.code}"]
