"""Render the catalogue to Markdown pages (a dict of docs-relative path -> text)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from catalog_build import text
from catalog_build.exports import jsonld
from catalog_build.groups import Group, documents, layers, memberships
from catalog_build.loader import Catalogue
from catalog_build.models import Audience, Channel, Fee, Level, Procedure

TEMPLATES = Path(__file__).with_name("templates")
LIST_PAGE_SIZE = 100  # a browse page stays light on a phone and cheap to re-render
SUMMARY_CHARS = 300  # a procedure page's meta description (search engines show about 160)
# JSON inside <script> must not contain markup the HTML parser could act on.
_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]#|"})


def _md_inline(value: str) -> Markup:
    """Escape text for a Markdown heading: HTML first, then Markdown's own punctuation."""
    return Markup(str(escape(value)).translate(_MD_SPECIAL))


def _rich(value: str) -> Markup:
    """Cleaned source text to HTML: lines that start with "- " become a list, other lines paragraphs.
    A single line stays bare, so it can sit inside a list item or a table cell."""
    lines = [line for line in value.split("\n") if line.strip()]
    if len(lines) == 1 and not lines[0].startswith("- "):
        return escape(lines[0])
    parts: list[str] = []
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(f"<li>{escape(line[2:])}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        parts.append(f"<p>{escape(line)}</p>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return Markup("".join(parts))


def _fee(fee: Fee) -> str:
    head = text.FEE_KIND[fee.kind]
    if fee.amount is None:
        return f"{head}: {fee.description}"
    money = text.vnd(fee.amount) if fee.currency == "VND" else f"{fee.amount:,} {fee.currency}".replace(",", ".")
    amount = "Miễn" if fee.amount == 0 else f"{money} ({fee.unit})"
    return f"{head}: {amount}" + (f". {fee.description}" if fee.description else "")


def _duration(channel: Channel) -> str:
    parts = []
    if channel.time_value is not None:
        parts.append(f"{text.number_vn(channel.time_value)} {text.TIME_UNIT[channel.time_unit]}")
    if channel.time_note:
        parts.append(channel.time_note)
    return ". ".join(parts)


def group_context(group: Group, cat: Any) -> dict[str, Any]:
    fee = {"free": "Miễn phí", "sum_of_steps": "Phí, lệ phí của từng thủ tục thành phần", "fixed": ""}[group.fee.rule]
    if group.fee.amount is not None:
        fee = f"{group.fee.amount:,} đồng".replace(",", ".")
    if group.fee.note:
        fee = f"{fee}. {group.fee.note}" if fee else group.fee.note
    return {
        "g": group,
        "root": "../../",
        "summary": _attr(_clip(" ".join(group.summary.split()), SUMMARY_CHARS)),
        "fee": fee,
        "procedure": cat.procedures.get(group.procedure or ""),
        "stages": layers(group),
        "roles": {step.id: step.role for step in group.steps},
        "agency_names": {code: agency.name for code, agency in cat.agencies.items()},
        "procedure_names": {s.procedure: cat.procedures[s.procedure].name for s in group.steps if s.procedure},
        "output_labels": {f"{s.id}.{o.key}": o.label for s in group.steps for o in s.outputs},
        "documents": documents(group, cat.procedures),
    }


def _environment(cache_dir: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # compiled once, not on every build (Jinja checks each template's source is unchanged)
        bytecode_cache=FileSystemBytecodeCache(str(cache_dir)) if cache_dir is not None else None,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters.update(
        md_inline=_md_inline,
        date_vn=text.date_vn,
        channel=text.CHANNEL.__getitem__,
        fee=_fee,
        duration=_duration,
        level=text.LEVEL.__getitem__,
        online_short=text.ONLINE_SHORT.__getitem__,
        rich=_rich,
        note_field=lambda name: text.NOTE_FIELD.get(name, name),
    )
    return env


def _attr(value: str) -> Markup:
    """Text for a double-quoted YAML front-matter scalar that the theme puts in an attribute.

    The theme writes `page.meta.description` into `<meta content="...">` unescaped, so the value
    is HTML-escaped here; JSON's escapes (backslashes) are YAML's too. Marked safe so that the
    template does not escape it again: `\\&#34;` is not a valid YAML escape, and the page would
    silently lose its description.
    """
    return Markup(json.dumps(str(escape(" ".join(value.split()))), ensure_ascii=False)[1:-1])


def _summary(procedure: Procedure, sector_name: str) -> Markup:
    lead = procedure.description or f"{procedure.name}: trình tự, hồ sơ, thời hạn, phí và lệ phí."
    return _attr(_clip(" ".join(f"{procedure.code} · {sector_name}. {lead}".split()), SUMMARY_CHARS))


def _clip(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


@dataclass
class ListMemo:
    """What each browse-list page was made from in a build (a digest per page), to skip unchanged
    ones. `salt` holds what every page depends on besides its own lines (templates, site address)."""

    salt: str
    pages: dict[str, str] = field(default_factory=dict)  # docs path -> digest
    kept: list[str] = field(default_factory=list)
    docs_dir: Path | None = None

    def digest(self, *parts: str) -> str:
        return hashlib.sha256("\x00".join((self.salt, *parts)).encode()).hexdigest()

    def unchanged(self, path: str, digest: str) -> bool:
        if self.pages.get(path) != digest:
            return False
        return self.docs_dir is None or (self.docs_dir / path).is_file()


class Renderer:
    """Renders pages; holds the lookups that several pages share."""

    def __init__(
        self, catalogue: Catalogue, previous_lists: ListMemo | None = None, cache_dir: Path | None = None
    ) -> None:
        self.catalogue = catalogue
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
        self.env = _environment(cache_dir)
        self._items: dict[tuple[str, str], Markup] = {}
        self._sort_keys: dict[str, tuple[str, str]] = {}
        self._lines: dict[str, str] = {}  # what a procedure's line in a list is made from
        self.previous_lists = previous_lists
        self.lists = ListMemo(previous_lists.salt if previous_lists else "")

    def prepare(self) -> None:
        """Compute the shared lookups and load the templates now (before forking workers)."""
        _ = self.faq_by_procedure, self.agency_slugs, self.group_memberships
        for name in ("procedure.md.j2", "listing.md.j2"):
            self.env.get_template(name)

    @cached_property
    def faq_by_procedure(self) -> dict[str | None, list[Any]]:
        grouped: dict[str | None, list[Any]] = defaultdict(list)
        for entry in self.catalogue.faq:
            grouped[entry.procedure].append(entry)
        return grouped

    @cached_property
    def group_memberships(self) -> dict[str, list[Group]]:
        return memberships(self.catalogue.groups)

    @cached_property
    def agency_slugs(self) -> dict[str, str]:
        return {code: code.lower() for code in self.catalogue.agencies}

    # -- procedure pages -------------------------------------------------------------

    @staticmethod
    def procedure_page_path(procedure: Procedure) -> str:
        return f"thu-tuc/{procedure.slug}.md"

    def procedure_pages(self, codes: Iterable[str]) -> dict[str, str]:
        template = self.env.get_template("procedure.md.j2")
        pages = {}
        for code in codes:
            procedure = self.catalogue.procedures[code]
            pages[self.procedure_page_path(procedure)] = template.render(self._procedure_context(procedure))
        return pages

    def _procedure_context(self, p: Procedure) -> dict[str, Any]:
        cat = self.catalogue
        sector = cat.sectors[p.sector]
        roles = []
        for role, codes in p.agencies:
            if codes:
                agencies = [{"slug": self.agency_slugs[c], "name": cat.agencies[c].name} for c in codes]
                roles.append({"label": text.AGENCY_ROLE[role], "agencies": agencies})
        return {
            "p": p,
            "root": "../../",
            "summary": _summary(p, sector.name),
            "sector": sector,
            "levels": [{"slug": text.LEVEL_SLUG[lv], "label": text.LEVEL[lv]} for lv in p.levels],
            "online_label": text.ONLINE_LEVEL[p.online_level],
            "type_label": text.PROCEDURE_TYPE[p.type],
            "origin_label": text.LEGAL_ORIGIN[p.legal_origin] if p.legal_origin else None,
            # Imported records give the steps once, in the first of several document groups: then
            # the group's title is not the steps' heading.
            "steps_per_case": all(case.steps for case in p.cases) and (len(p.cases) > 1 or p.provenance is None),
            "status_label": text.STATUS[p.status],
            "audiences": [{"slug": text.AUDIENCE_SLUG[a], "label": text.AUDIENCE[a]} for a in p.audiences],
            "has_documents": any(case.documents for case in p.cases),
            "agency_roles": roles,
            "related": [cat.procedures[c] for c in p.related],
            "faq": self.faq_by_procedure.get(p.code, []),
            "groups": self.group_memberships.get(p.code, []),
            "jsonld": Markup(json.dumps(jsonld(p, cat), ensure_ascii=False).translate(_JSON_IN_HTML)),
        }

    # -- browse, A–Z, FAQ, search and open-data pages --------------------------------------

    def browse_pages(self) -> dict[str, str]:
        pages: dict[str, str] = {}
        pages.update(self._grouped_pages())
        pages.update(self._a_to_z_pages())
        pages.update(self._faq_pages())
        pages.update(self._group_pages())
        pages["tim-kiem/index.md"] = self._search_page()
        pages["index.md"] = self.env.get_template("home.md.j2").render(
            count=len(self.catalogue.procedures),
            featured=[self.catalogue.procedures[c] for c in self.catalogue.featured],
        )
        pages["du-lieu/index.md"] = self.env.get_template("open_data.md.j2").render(
            count=len(self.catalogue.procedures),
            example=next(iter(self.catalogue.procedures.values())).slug if self.catalogue.procedures else "",
        )
        return pages

    def _group_pages(self) -> dict[str, str]:
        """A page per linked group (`lien-thong/<id>.md`) and their index."""
        cat = self.catalogue
        pages = {"lien-thong/index.md": self.env.get_template("groups.md.j2").render(groups=cat.groups.values())}
        template = self.env.get_template("group.md.j2")
        for group in cat.groups.values():
            pages[f"lien-thong/{group.id}.md"] = template.render(group_context(group, cat))
        return pages

    def _ordered(self, procedures: Iterable[Procedure]) -> list[Procedure]:
        keys = self._sort_keys
        procedures = list(procedures)
        for p in procedures:
            if p.code not in keys:
                keys[p.code] = text.sort_key(p.name)
        return sorted(procedures, key=lambda p: keys[p.code])

    def _listing(self, path: str, title: str, description: str, **context: Any) -> tuple[str, str]:
        root = "../" * path.count("/") if path.endswith("index.md") else "../" * (path.count("/") + 1)
        context = {"lead": None, "links": [], "items": [], "total": 0, "pager": [], **context}
        page = self.env.get_template("listing.md.j2").render(
            title=title, description=_attr(description), root=root, **context
        )
        return path, page

    def _item(self, procedure: Procedure, root: str) -> Markup:
        """A procedure's line in a list, rendered once per depth: each appears in several lists."""
        key = (procedure.code, root)
        item = self._items.get(key)
        if item is None:
            # escape() on each field, as Markup.format would do, without its pure-Python formatter
            # (a rename can shift thousands of lines onto other list pages)
            levels, online = text.levels(procedure.levels), text.ONLINE_SHORT[procedure.online_level]
            item = self._items[key] = Markup(
                f'<li><a href="{escape(root)}thu-tuc/{escape(procedure.slug)}/">{escape(procedure.name)}</a><br>'
                f'<span class="portal-code">{escape(procedure.code)}</span> · {escape(levels)} · {escape(online)}</li>'
            )
        return item

    def _line(self, p: Procedure) -> str:
        line = self._lines.get(p.code)
        if line is None:
            line = self._lines[p.code] = f"{p.code}\x01{p.name}\x01{p.levels}\x01{p.online_level}"
        return line

    def _paged(self, folder: str, slug: str, label: str, title: str, procedures: list[Procedure]) -> dict[str, str]:
        """One group's procedures, LIST_PAGE_SIZE per page: /folder/slug/, /folder/slug/trang-2/, ...

        A page made from the same things as in the previous build (its group's label, size and
        number of pages, and its own procedures' codes, names, levels and online levels, in order)
        is not rendered again: it is listed in `self.lists.kept` instead. A one-procedure change
        then re-renders the few pages whose lines it changes or shifts, not a thousand."""
        chunks = [procedures[i : i + LIST_PAGE_SIZE] for i in range(0, len(procedures), LIST_PAGE_SIZE)] or [[]]
        shape = f"{label}\x00{title}\x00{LIST_PAGE_SIZE}\x00{len(procedures)}\x00{len(chunks)}"
        pages = {}
        for number, chunk in enumerate(chunks, start=1):
            first = number == 1
            path = f"{folder}/{slug}.md" if first else f"{folder}/{slug}/trang-{number}.md"
            digest = self.lists.digest(shape, str(number), *map(self._line, chunk))
            self.lists.pages[path] = digest
            if self.previous_lists is not None and self.previous_lists.unchanged(path, digest):
                self.lists.kept.append(path)
                continue
            group_base = "./" if first else "../"
            pager = (
                [
                    {"number": n, "href": group_base + ("" if n == 1 else f"trang-{n}/"), "current": n == number}
                    for n in range(1, len(chunks) + 1)
                ]
                if len(chunks) > 1
                else []
            )
            root = "../../" if first else "../../../"
            heading = label if first else f"{label} (trang {number})"
            pages.update(
                [
                    self._listing(
                        path,
                        heading,
                        f"{title}: {label}",
                        total=len(procedures),
                        pager=pager,
                        items=[self._item(p, root) for p in chunk],
                    )
                ]
            )
        return pages

    def _group(
        self, folder: str, title: str, lead: str, groups: dict[str, tuple[str, list[Procedure]]]
    ) -> dict[str, str]:
        """An index page of groups plus the pages of each group; groups: slug -> (label, procedures)."""
        ordered = sorted(groups.items(), key=lambda item: text.sort_key(item[1][0]))
        links = [{"href": f"{folder}/{slug}/", "label": label, "count": len(ps)} for slug, (label, ps) in ordered]
        pages = dict([self._listing(f"{folder}/index.md", title, lead, lead=lead, links=links)])
        for slug, (label, procedures) in ordered:
            pages.update(self._paged(folder, slug, label, title, self._ordered(procedures)))
        return pages

    def _grouped_pages(self) -> dict[str, str]:
        cat = self.catalogue
        by_sector: dict[str, tuple[str, list[Procedure]]] = {}
        by_agency: dict[str, tuple[str, list[Procedure]]] = {}
        by_level: dict[str, tuple[str, list[Procedure]]] = {}
        by_audience: dict[str, tuple[str, list[Procedure]]] = {}
        for p in cat.procedures.values():
            by_sector.setdefault(p.sector, (cat.sectors[p.sector].name, []))[1].append(p)
            for code in dict.fromkeys(c for codes in vars(p.agencies).values() for c in codes):
                by_agency.setdefault(self.agency_slugs[code], (cat.agencies[code].name, []))[1].append(p)
            for level in p.levels:
                by_level.setdefault(text.LEVEL_SLUG[level], (text.LEVEL[level], []))[1].append(p)
            for audience in p.audiences:
                by_audience.setdefault(text.AUDIENCE_SLUG[audience], (text.AUDIENCE[audience], []))[1].append(p)
        return {
            **self._group(
                "linh-vuc", "Thủ tục theo lĩnh vực", "Chọn lĩnh vực để xem các thủ tục thuộc lĩnh vực đó.", by_sector
            ),
            **self._group(
                "co-quan",
                "Thủ tục theo cơ quan",
                "Chọn cơ quan để xem các thủ tục cơ quan đó thực hiện hoặc phối hợp.",
                by_agency,
            ),
            **self._group(
                "cap-thuc-hien",
                "Thủ tục theo cấp thực hiện",
                "Thủ tục do cơ quan cấp Bộ, cấp Tỉnh, cấp Xã hoặc ngành dọc giải quyết.",
                by_level,
            ),
            **self._group(
                "doi-tuong",
                "Thủ tục theo đối tượng",
                "Thủ tục dành cho công dân, doanh nghiệp và tổ chức.",
                by_audience,
            ),
        }

    def _a_to_z_pages(self) -> dict[str, str]:
        groups: dict[str, tuple[str, list[Procedure]]] = {}
        for p in self.catalogue.procedures.values():
            letter = text.initial(p.name)
            groups.setdefault(text.letter_slug(letter), (letter, []))[1].append(p)
        return self._group("a-z", "Thủ tục từ A đến Z", "Chọn chữ cái đầu của tên thủ tục.", groups)

    def _faq_pages(self) -> dict[str, str]:
        cat = self.catalogue
        template = self.env.get_template("faq.md.j2")
        by_sector: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        for code, entries in self.faq_by_procedure.items():
            if code is not None:
                by_sector[cat.procedures[code].sector][code] = entries
        links = [
            {"href": f"hoi-dap/{s}/", "label": cat.sectors[s].name, "count": sum(map(len, g.values()))}
            for s, g in sorted(by_sector.items(), key=lambda item: text.sort_key(cat.sectors[item[0]].name))
        ]
        general = [{"procedure": None, "entries": self.faq_by_procedure[None]}] if None in self.faq_by_procedure else []
        pages = {
            "hoi-dap/index.md": template.render(
                title="Hỏi đáp về thủ tục hành chính",
                description="Câu hỏi thường gặp theo lĩnh vực.",
                root="../",
                links=links,
                groups=general,
            )
        }
        for sector, grouped in by_sector.items():
            procedures = self._ordered(cat.procedures[c] for c in grouped)
            name = cat.sectors[sector].name
            path = f"hoi-dap/{sector}.md"
            # Made from the sector's name and, in order, each procedure's code, name and questions:
            # a page made from the same is kept from the last build, as browse lists are.
            made_of = (
                "\x01".join((p.code, p.name, *(f"{q.question}\x02{q.answer}" for q in grouped[p.code])))
                for p in procedures
            )
            digest = self.lists.digest("faq", name, *made_of)
            self.lists.pages[path] = digest
            if self.previous_lists is not None and self.previous_lists.unchanged(path, digest):
                self.lists.kept.append(path)
                continue
            groups = [{"procedure": p, "entries": grouped[p.code]} for p in procedures]
            pages[path] = template.render(
                title=f"Hỏi đáp: {name}",
                description=_attr(f"Câu hỏi thường gặp về thủ tục lĩnh vực {name}."),
                root="../../",
                links=[],
                groups=groups,
            )
        return pages

    def _search_page(self) -> str:
        cat = self.catalogue
        used_sectors = {p.sector for p in cat.procedures.values()}
        sectors = sorted((cat.sectors[s] for s in used_sectors), key=lambda s: text.sort_key(s.name))
        used_levels = {level for p in cat.procedures.values() for level in p.levels}
        used_audiences = {a for p in cat.procedures.values() for a in p.audiences}
        return self.env.get_template("search.md.j2").render(
            sectors=sectors,
            levels=[text.LEVEL[lv] for lv in Level if lv in used_levels],
            audiences=[text.AUDIENCE[a] for a in Audience if a in used_audiences],
        )
