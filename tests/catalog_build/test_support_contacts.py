"""The help centre's contacts come from configuration: `{{ support.<name> }}` in a page is replaced
by mkdocs.yml's `extra.support` (itself from `PORTAL_SUPPORT_*`), and a name that is not configured
fails the build naming the page."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from mkdocs.exceptions import PluginError

from tests.factories import REPO

_spec = importlib.util.spec_from_file_location("contacts_hook", REPO / "site" / "hooks" / "contacts.py")
assert _spec and _spec.loader
contacts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contacts)


def _render(markdown: str, support: dict[str, str]) -> str:
    page = SimpleNamespace(file=SimpleNamespace(src_uri="tro-giup/lien-he.md"))
    config = SimpleNamespace(extra={"support": support})
    return contacts.on_page_markdown(markdown, page=page, config=config, files=None)


def test_contacts_in_pages_come_from_configuration() -> None:
    rendered = _render("| Tổng đài | {{ support.hotline }} |", {"hotline": "1900 1234"})
    assert rendered == "| Tổng đài | 1900 1234 |"


def test_a_contact_that_is_not_configured_fails_the_build_naming_the_page() -> None:
    with pytest.raises(PluginError, match=r"tro-giup/lien-he.md: support.fax"):
        _render("{{ support.fax }}", {"hotline": "1900 1234"})


def test_no_page_keeps_a_placeholder_contact() -> None:
    pages = [path for path in (REPO / "site" / "docs").rglob("*.md") if "1800 0000" in path.read_text("utf-8")]
    assert pages == []


def test_every_contact_a_page_names_is_configured() -> None:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])
    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: None)
    configured = yaml.load((REPO / "mkdocs.yml").read_text("utf-8"), Loader=Loader)["extra"]["support"]
    named = set()
    for path in Path(REPO / "site" / "docs").rglob("*.md"):
        named |= set(contacts._TOKEN.findall(path.read_text("utf-8")))
    assert named and named <= set(configured)
