"""The accessibility check every page type's test runs: axe-core, WCAG 2.0 to 2.2, levels A and AA."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def wcag_violations(page: Page) -> list[tuple[str, str, list[str]]]:
    """(rule, help, offending elements) for each violation on the page as it is now."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    return [
        (v["id"], v["help"], [node["target"][0] for node in v["nodes"]][:5]) for v in results.response["violations"]
    ]


def no_violations(page: Page) -> None:
    """axe once transitions have ended: the theme fades its "back to top" button in after focus moves
    up the page, and half-faded text would be judged on a contrast it never keeps."""
    page.wait_for_function("document.getAnimations().every((animation) => animation.playState !== 'running')")
    assert wcag_violations(page) == []
