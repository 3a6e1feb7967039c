"""plain_markdown gives Python-Markdown's HTML, table of contents and title, or steps aside."""

from pathlib import Path

import markdown
import pytest
from mkdocs.structure.pages import _ExtractTitleTreeprocessor
from mkdocs.utils import meta

from catalog_build import plain_markdown
from catalog_build.loader import load_catalogue
from catalog_build.raw_html import RawHtmlExtension
from catalog_build.render import Renderer
from catalog_build.site import load_site_config
from tests.factories import REPO

EXTENSIONS = ["toc", "tables", "fenced_code"]  # MkDocs' defaults, as mkdocs.yml leaves them
CONFIGS = {"toc": {"permalink": False}}


def python_markdown(body: str) -> tuple[str, list, str | None]:
    """What MkDocs' own Page.render makes of a page: HTML, table of contents and title."""
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS)
    title = _ExtractTitleTreeprocessor()
    title._register(md)
    html = md.convert(body)
    return html, md.toc_tokens, title.title  # type: ignore[attr-defined]


def plain(body: str) -> plain_markdown.Converted | None:
    return plain_markdown.convert(
        body, markdown.Markdown(extensions=[*EXTENSIONS, RawHtmlExtension()], extension_configs=CONFIGS)
    )


def every_shipped_page() -> dict[str, str]:
    """Procedure and browse pages of the shipped catalogue, and the hand-written pages."""
    renderer = Renderer(load_catalogue(REPO / "data"))
    pages = {**renderer.procedure_pages(list(renderer.catalogue.procedures)), **renderer.browse_pages()}
    docs = Path(load_site_config(REPO / "mkdocs.yml").docs_dir)
    pages.update({p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in docs.rglob("*.md")})
    return pages


def test_every_shipped_page_comes_out_as_python_markdown_makes_it():
    shipped = every_shipped_page()
    converted = 0
    for rel, text in shipped.items():
        body, _ = meta.get_data(text)  # without the front matter, as MkDocs gives it
        got = plain(body)
        if got is None:
            continue
        converted += 1
        assert (got.html, got.toc_tokens, got.title) == python_markdown(body), rel
    assert converted >= 0.95 * len(shipped)  # the plain way is the one taken


TAKEN = [
    "# Tiêu đề\n\n<div>a</div>\n<div>b</div>\n\nMột dòng chữ.\n\n## Mục\n\n<ul>\n<li>một</li>\n</ul>\n",
    "<div>không có tiêu đề</div>\n\n## Mục\n",  # no title: the first block is not a heading
    "## Mục\n\n# Tiêu đề muộn\n",  # a level-1 heading that is not first is no title
    "# A\n\n## Mục\n\n## Mục\n\n### Mục\n",  # repeated ids get _1, _2 as toc gives them
    "# Đường đến đâu\n\n#### Sâu hơn\n\n###### Sâu nhất\n",
    "# Tiêu đề\n\n\n\n## Sau ba dòng trống\n\n\n<div>a</div>\n\n\n\n<p>b</p>\n\n\nChữ.\n",
    "# Tiêu đề\n\n<details><summary>Hỏi</summary>\n<p>Đáp</p>\n</details>",  # a raw block last
    "# (1) Ghi chú: 100% \"đúng\", 'đủ' - hợp lệ!\n\nCó 2 cách. Số 3/4 {a} ~ = + | ; ?\n",
]


@pytest.mark.parametrize("body", TAKEN)
def test_pages_of_the_simple_shape_take_the_plain_way_with_the_same_result(body):
    got = plain(body)
    assert got is not None
    assert (got.html, got.toc_tokens, got.title) == python_markdown(body)


STEPPED_ASIDE = [
    "# Tiêu đề\n\nChữ *nghiêng* ở đây\n",
    "# Tiêu đề\n\nmột_hai\n",
    "# Tiêu đề\n\n[liên kết](https://example.org)\n",
    "# Tiêu đề\n\nA &amp; B\n",
    "# Tiêu đề\n\nA < B\n",
    "# Tiêu đề\n\n`mã`\n",
    "# Tiêu đề\n\n1. một\n",
    "# Tiêu đề\n\n- một\n",
    "# Tiêu đề\n\n> trích\n",
    "# Tiêu đề\n\n    thụt lề\n",
    "# Tiêu đề\n\n---\n",
    "# Tiêu đề #\n",
    "#Tiêu đề\n",
    "# Tiêu đề\n\ndòng một\ndòng hai\n",
    "# Tiêu đề\n\nchữ có khoảng trắng cuối  \n",
    "# Tiêu đề\r\n\r\nchữ\r\n",
    "# Tiêu đề\n\n<div>mở\n   \nvẫn trong div</div>\n\n## Sau\n",  # a line of spaces splits blocks
    "# Tiêu đề\n\n<div>\ttab</div>\n\n## Sau\n",
    "# Tiêu đề\n\n<!-- ghi chú -->\n<p>đoạn</p>\n\n## Sau\n",
    "# Tiêu đề\n\n<span>nội dòng</span>\n\n## Sau\n",
    "# Tiêu đề\n\n<div><p>đoạn</div> còn chữ sau\n\n## Sau\n",
    "",
]


@pytest.mark.parametrize("body", STEPPED_ASIDE)
def test_anything_else_is_left_to_python_markdown(body):
    assert plain(body) is None


def test_only_converters_of_the_known_extensions_are_stood_in_for():
    config = load_site_config(REPO / "mkdocs.yml")
    ours = RawHtmlExtension()
    assert plain_markdown.eligible([*config.markdown_extensions, ours], config.mdx_configs)
    assert not plain_markdown.eligible(list(config.markdown_extensions), config.mdx_configs)  # not our raw step
    assert not plain_markdown.eligible([*EXTENSIONS, "admonition", ours], CONFIGS)
    assert not plain_markdown.eligible([*EXTENSIONS, ours], {"toc": {"permalink": True}})
    assert not plain_markdown.eligible([*EXTENSIONS, ours], {"toc": {"slugify": str.lower}})
    assert not plain_markdown.eligible([*EXTENSIONS, ours], {**CONFIGS, "tables": {"use_align_attribute": True}})
