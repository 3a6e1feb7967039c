"""Support contacts from configuration: `{{ support.hotline }}` (and `.email`, `.hours`) in any page is
replaced by `extra.support` of mkdocs.yml, which takes each value from the environment
(`PORTAL_SUPPORT_HOTLINE`, `PORTAL_SUPPORT_EMAIL`, `PORTAL_SUPPORT_HOURS`) with a demo default.
An unknown name or a missing value fails the build, naming the page."""

from __future__ import annotations

import re
from typing import Any

from mkdocs.exceptions import PluginError

_TOKEN = re.compile(r"\{\{\s*support\.([a-z_]+)\s*\}\}")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if "{{" not in markdown:
        return markdown
    contacts = config.extra.get("support") or {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = contacts.get(name)
        if not found:
            raise PluginError(f"{page.file.src_uri}: support.{name} is not set in mkdocs.yml extra.support")
        return str(found)

    return _TOKEN.sub(value, markdown)
