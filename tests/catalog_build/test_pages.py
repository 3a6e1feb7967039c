"""Pages rendered by our page workers are the pages a plain `mkdocs build` makes, byte for byte."""

import gzip
from pathlib import Path

import markdown
import pytest

from catalog_build import pages
from catalog_build.build import build
from catalog_build.errors import BuildFailed
from catalog_build.loader import load_catalogue
from catalog_build.pages import build_pages
from catalog_build.raw_html import RawHtmlExtension
from catalog_build.render import Renderer
from catalog_build.site import build_site, derived_config
from catalog_build.writer import WriteReport, write_changed
from tests.factories import REPO, procedure_record, scratch_build, snapshot, write_yaml

EVERY_NTH_PROCEDURE = 20  # about 130 of the shipped catalogue's 2,524 procedure pages


@pytest.fixture(scope="module")
def shipped() -> tuple[Renderer, list[str]]:
    catalogue = load_catalogue(REPO / "data")
    return Renderer(catalogue), list(catalogue.procedures)


@pytest.fixture(scope="module")
def two_builds(shipped, tmp_path_factory) -> tuple[Path, Path]:
    """The shipped catalogue's browse pages, hand-written pages and a sample of procedure pages,
    built once by plain MkDocs and once by our workers (several chunks, so in forked processes)."""
    renderer, codes = shipped
    workspace = tmp_path_factory.mktemp("equivalence")
    config = derived_config(REPO / "mkdocs.yml", workspace)
    docs = renderer.browse_pages()
    docs.update(renderer.procedure_pages(codes[::EVERY_NTH_PROCEDURE]))
    write_changed(workspace / "docs", docs, WriteReport())
    build_site(config, workspace / "plain", dirty=False, progress=False)
    report = build_pages(config, workspace / "ours", workers=2)
    assert report.pages > 2 * pages.CHUNK
    return workspace / "plain", workspace / "ours"


def files_of(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}


def test_every_file_of_a_plain_mkdocs_build_comes_out_the_same(two_builds):
    plain, ours = two_builds
    expected, built = files_of(plain), files_of(ours)
    assert built.keys() == expected.keys()
    assert sum(rel.startswith("thu-tuc/") for rel in built) > 100
    different = [
        rel
        for rel, path in expected.items()
        if rel != "sitemap.xml.gz" and path.read_bytes() != built[rel].read_bytes()
    ]
    assert different == []
    # the gzip header carries the build time; the sitemap inside is the same
    assert gzip.decompress(built["sitemap.xml.gz"].read_bytes()) == (plain / "sitemap.xml").read_bytes()


def test_the_faster_raw_html_step_gives_python_markdowns_result_on_every_shipped_procedure(shipped):
    renderer, codes = shipped
    fast_pages = 0
    for rel, text in renderer.procedure_pages(codes).items():
        body = text.split("---\n", 2)[2]  # without the front matter, as MkDocs gives it
        plain = markdown.Markdown(extensions=["toc"])
        fast = markdown.Markdown(extensions=["toc", RawHtmlExtension()])
        assert fast.convert(body) == plain.convert(body), rel
        assert fast.toc == plain.toc, rel  # type: ignore[attr-defined]
        fast_pages += fast.preprocessors["html_block"].fast_pages  # type: ignore[attr-defined]
    assert fast_pages >= 0.95 * len(codes)  # the faster step is the one that ran


@pytest.mark.parametrize(
    "body",
    [
        "# Tiêu đề\n\n<!-- ghi chú -->\n<p>đoạn</p>\n",  # a comment
        "# Tiêu đề\n\n<div>mở\n\nvẫn trong div</div>\n",  # a blank line inside an element
        "# Tiêu đề\n\nChữ có <span>thẻ</span> trong đoạn\n",  # a tag in a text block
        "# Tiêu đề\n\n<div><p>đoạn</div> còn chữ sau\n",  # text after the closing tag
        "<div>a</div>\n<div>b</div>\n\n## Mục\n\n<ul>\n<li>một</li>\n</ul>\n",  # the simple shape
    ],
)
def test_pages_of_other_shapes_are_left_to_python_markdown_with_the_same_result(body):
    plain = markdown.Markdown(extensions=["toc"])
    fast = markdown.Markdown(extensions=["toc", RawHtmlExtension()])
    assert fast.convert(body) == plain.convert(body)


def test_a_warning_in_a_worker_fails_the_build_in_strict_mode_and_leaves_the_site(workspace, monkeypatch):
    monkeypatch.setattr(pages, "CHUNK", 2)  # several chunks even for a small catalogue: forked workers
    options, docs, site = workspace
    build(options)
    before = snapshot(site)
    # outside the navigation (not_in_nav: /ho-so/), so the one warning comes from the page's worker
    (docs / "ho-so" / "trang-loi.md").write_text("# Lỗi\n\n[liên kết hỏng](khong-ton-tai.md)\n", encoding="utf-8")
    options.full = True
    with pytest.raises(BuildFailed, match=r"aborted with 1 warning\(s\) in strict mode"):
        build(options)
    assert snapshot(site) == before
    assert not site.with_name("site.new").exists()


def test_an_error_in_a_worker_names_the_page_and_leaves_the_site(workspace, monkeypatch):
    monkeypatch.setattr(pages, "CHUNK", 2)
    options, docs, site = workspace
    build(options)
    before = snapshot(site)
    (docs / "trang-loi.md").write_text("---\ntemplate: khong-co.html\n---\n# Trang lỗi\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match=r"khong-co\.html"):
        build(options)  # incremental: only the new page is rendered, and it fails
    assert snapshot(site) == before
    (docs / "trang-loi.md").unlink()
    assert build(options).site_mode == "full"


def test_an_incremental_build_leaves_the_site_a_full_build_of_the_same_data_makes(workspace, tmp_path):
    options, _docs, site = workspace
    build(options)
    changed = procedure_record("1.999001", name="Tên mới của thủ tục")
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", changed)
    assert build(options).site_mode == "incremental"
    fresh = scratch_build(tmp_path / "fresh")
    write_yaml(fresh.data_dir / "procedures" / "1.999001.yaml", changed)
    assert build(fresh).site_mode == "full"
    # Pagefind's own files are left out: an incremental index keeps old fragments for a while
    # (search_index.STALE_FRAGMENTS), and test_build.py checks what it finds.
    incremental, full = (
        {rel: path for rel, path in files_of(root).items() if not rel.startswith("pagefind/")}
        for root in (site, tmp_path / "fresh" / "ws" / "site")
    )
    assert incremental.keys() == full.keys()
    different = [
        rel
        for rel, path in full.items()
        if rel not in ("sitemap.xml.gz", "sw.js") and path.read_bytes() != incremental[rel].read_bytes()
    ]
    assert different == []
