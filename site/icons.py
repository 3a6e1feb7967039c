"""Draw the app's PNG icons from site/docs/assets/portal/icon.svg with Debian's Chromium.

    .venv/bin/python site/icons.py

The PNGs are committed (the build needs no browser); run this again after changing the SVG.
Writes, beside the SVG: icon-192.png and icon-512.png (the SVG as it is, rounded corners
transparent), icon-maskable-512.png (full-bleed background, the star inside the central 80%
circle that every launcher mask keeps) and apple-touch-icon.png (180 px, opaque: iOS rounds it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ICONS = REPO / "site" / "docs" / "assets" / "portal"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


def full_bleed(svg: str, scale: float) -> str:
    """The same star on a square background, scaled about the centre."""
    svg = re.sub(r'<rect ([^>]*?)rx="[^"]*"', r"<rect \1", svg)
    offset = 32 * (1 - scale)
    return re.sub(r"(<path [^>]*/>)", rf'<g transform="translate({offset} {offset}) scale({scale})">\1</g>', svg)


def render(svg: str, size: int, target: Path, page: object) -> None:
    style = f"html,body{{margin:0;background:transparent}}svg{{display:block;width:{size}px;height:{size}px}}"
    html = f"<style>{style}</style>{svg}"
    page.set_viewport_size({"width": size, "height": size})  # type: ignore[attr-defined]
    page.set_content(html)  # type: ignore[attr-defined]
    page.screenshot(path=str(target), omit_background=True)  # type: ignore[attr-defined]
    print(f"wrote {target.relative_to(REPO)} ({size}x{size})")


def main() -> None:
    from playwright.sync_api import sync_playwright

    svg = (ICONS / "icon.svg").read_text(encoding="utf-8")
    maskable = full_bleed(svg, 0.8)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(device_scale_factor=1)
        render(svg, 192, ICONS / "icon-192.png", page)
        render(svg, 512, ICONS / "icon-512.png", page)
        render(maskable, 512, ICONS / "icon-maskable-512.png", page)
        render(full_bleed(svg, 0.9), 180, ICONS / "apple-touch-icon.png", page)
        browser.close()


if __name__ == "__main__":
    main()
