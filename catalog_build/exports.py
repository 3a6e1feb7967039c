"""Machine-readable exports: JSON per procedure, the catalogue as JSON and CSV, the record's
JSON Schema, an Atom feed of recent changes, and schema.org JSON-LD for each page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from catalog_build import text
from catalog_build.models import ChannelKind, Procedure, Sector, TimeUnit, slug_of

if TYPE_CHECKING:
    from catalog_build.loader import Catalogue

FEED_SIZE = 50
CSV_COLUMNS = (
    "code",
    "name",
    "sector",
    "sector_name",
    "levels",
    "online_level",
    "audiences",
    "executing_agencies",
    "updated",
    "url",
)


def procedure_url(procedure: Procedure, site_url: str) -> str:
    return f"{site_url}thu-tuc/{procedure.slug}/"


def procedure_json_path(procedure: Procedure) -> str:
    """Where a procedure's JSON export lives, relative to the site root."""
    return record_path(procedure.code)


def record_path(code: str) -> str:
    """`procedure_json_path` from the code alone."""
    return f"du-lieu/thu-tuc/{slug_of(code)}.json"


def procedure_json(procedure: Procedure) -> str:
    return procedure.model_dump_json(indent=None, exclude_none=True)


def record_schema() -> str:
    schema = Procedure.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Thủ tục hành chính (Procedure)"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def catalogue_json(catalogue: Catalogue, bodies: dict[str, str]) -> str:
    """The whole catalogue; `bodies` are the per-procedure JSON texts, joined without re-encoding."""
    records = ",\n".join(bodies[code] for code in catalogue.procedures)
    return f'{{"count": {len(bodies)},\n"procedures": [\n{records}\n]}}\n'


def agencies_json(catalogue: Catalogue) -> str:
    """Every agency (code, name, level, parent) in Vietnamese name order: what the site's forms offer
    and how its pages name an agency the API gives only by code."""
    agencies = sorted(catalogue.agencies.values(), key=lambda agency: text.sort_key(agency.name))
    records = [
        agency.model_dump(mode="json", include={"code", "name", "level", "parent"}, exclude_none=True)
        for agency in agencies
    ]
    return json.dumps({"count": len(records), "agencies": records}, ensure_ascii=False, indent=None) + "\n"


def quick_lookup_json(catalogue: Catalogue) -> str:
    """What the call centre's console searches while a caller waits: every procedure's code, name,
    sector and keywords, and every FAQ entry (about 150 bytes a procedure)."""
    procedures = [_lookup_entry(p) for p in catalogue.procedures.values()]
    faq = [entry.model_dump(mode="json", exclude_none=True) for entry in catalogue.faq]
    return json.dumps({"procedures": procedures, "faq": faq}, ensure_ascii=False, indent=None) + "\n"


QUICK_LOOKUP_HEAD = '{"procedures": ['
QUICK_LOOKUP_SEPARATOR = ", "


def quick_lookup_entries(procedures: Iterable[Procedure]) -> str:
    """Some procedures' entries in `quick_lookup_json`, as they appear in it."""
    return QUICK_LOOKUP_SEPARATOR.join(json.dumps(_lookup_entry(p), ensure_ascii=False) for p in procedures)


def quick_lookup_tail(catalogue: Catalogue) -> str:
    """What follows the procedures' entries in `quick_lookup_json`: the FAQ."""
    faq = [entry.model_dump(mode="json", exclude_none=True) for entry in catalogue.faq]
    return '], "faq": ' + json.dumps(faq, ensure_ascii=False, indent=None) + "}\n"


def _lookup_entry(p: Procedure) -> dict[str, Any]:
    return {"code": p.code, "name": p.name, "sector": p.sector, "keywords": list(p.keywords)}


def catalogue_csv(catalogue: Catalogue, site_url: str) -> str:
    return CSV_HEAD + csv_rows(catalogue.procedures.values(), catalogue.sectors, site_url)


def _csv_text(rows: Iterable[Iterable[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


CSV_HEAD = "\ufeff" + _csv_text([CSV_COLUMNS])  # the BOM makes spreadsheet programs read UTF-8


def csv_rows(procedures: Iterable[Procedure], sectors: dict[str, Sector], site_url: str) -> str:
    """Some procedures' rows of `catalogue_csv`."""
    return _csv_text(
        (
            p.code,
            p.name,
            p.sector,
            sectors[p.sector].name,
            ";".join(level.value for level in p.levels),
            p.online_level.value,
            ";".join(a.value for a in p.audiences),
            ";".join(p.agencies.executing),
            p.updated.isoformat(),
            procedure_url(p, site_url),
        )
        for p in procedures
    )


def atom_feed(catalogue: Catalogue, site_url: str, recent: list[Procedure] | None = None) -> str:
    """The FEED_SIZE most recently updated procedures (`recent`, when the caller knows them)."""
    if recent is None:
        recent = sorted(catalogue.procedures.values(), key=lambda p: (p.updated, p.code), reverse=True)[:FEED_SIZE]
    updated = recent[0].updated.isoformat() if recent else "1970-01-01"
    entries = "".join(
        f"<entry><id>{escape(procedure_url(p, site_url))}</id><title>{escape(p.name)}</title>"
        f'<link rel="alternate" href="{escape(procedure_url(p, site_url))}"/>'
        f"<updated>{p.updated.isoformat()}T00:00:00+07:00</updated>"
        f"<summary>{escape(p.code + ' · ' + catalogue.sectors[p.sector].name)}</summary></entry>\n"
        for p in recent
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">\n'
        f"<id>{escape(site_url)}du-lieu/thay-doi.xml</id><title>Thủ tục hành chính mới cập nhật</title>\n"
        f'<link rel="self" href="{escape(site_url)}du-lieu/thay-doi.xml"/>'
        f'<link rel="alternate" href="{escape(site_url)}"/>\n'
        f"<updated>{updated}T00:00:00+07:00</updated><author><name>Cổng Dịch vụ công</name></author>\n"
        f"{entries}</feed>\n"
    )


def _iso_duration(value: float | None, unit: TimeUnit) -> str | None:
    if value is None or value != int(value):
        return None
    letter = {TimeUnit.hours: "T{}H", TimeUnit.months: "{}M"}.get(unit, "{}D")
    return "P" + letter.format(int(value))


def jsonld(p: Procedure, catalogue: Catalogue) -> dict[str, Any]:
    """schema.org GovernmentService for one procedure (https://schema.org/GovernmentService)."""
    agencies = catalogue.agencies
    channels = []
    for c in p.channels:
        channel: dict[str, Any] = {"@type": "ServiceChannel", "name": text.CHANNEL[c.kind]}
        if duration := _iso_duration(c.time_value, c.time_unit):
            channel["processingTime"] = duration
        if c.kind is ChannelKind.online:
            channel["availableLanguage"] = "vi"
        channels.append(channel)
    service: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "identifier": p.code,
        "name": p.name,
        "serviceType": catalogue.sectors[p.sector].name,
        "provider": [{"@type": "GovernmentOrganization", "name": agencies[c].name} for c in p.agencies.executing],
        "areaServed": {"@type": "Country", "name": "Việt Nam"},
        "audience": [{"@type": "Audience", "audienceType": text.AUDIENCE[a]} for a in p.audiences],
        "availableChannel": channels,
        "dateModified": p.updated.isoformat(),
    }
    if p.description:
        service["description"] = p.description
    return service
