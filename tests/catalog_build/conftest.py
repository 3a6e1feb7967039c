"""A throwaway catalogue workspace of three procedures, built with the real mkdocs.yml."""

from pathlib import Path

import pytest

from catalog_build.build import BuildOptions
from tests.factories import scratch_build


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[BuildOptions, Path, Path]:
    """(build options, the docs folder, the site folder)."""
    return scratch_build(tmp_path), tmp_path / "ws" / "docs", tmp_path / "ws" / "site"
