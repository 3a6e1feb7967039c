"""MkDocs hook: a progress bar over rendered pages when catalog_build asks for one."""

from __future__ import annotations

import os
import sys
from typing import Any

_bar: Any = None


def on_files(files: Any, config: Any) -> None:
    global _bar
    if os.environ.get("PORTAL_BUILD_PROGRESS") == "1" and sys.stderr.isatty():
        from tqdm import tqdm

        total = sum(1 for _ in files.documentation_pages())
        _bar = tqdm(total=total, desc="site", unit="page", leave=False, mininterval=0.5)


def on_post_page(output: str, page: Any, config: Any) -> str:
    if _bar is not None:
        _bar.update(1)
    return output


def on_post_build(config: Any) -> None:
    global _bar
    if _bar is not None:
        _bar.close()
        _bar = None
