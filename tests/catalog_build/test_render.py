import html

import pytest
import yaml

from catalog_build.loader import load_catalogue
from catalog_build.render import ListMemo, Renderer
from tests.factories import make_data_dir, procedure_record


@pytest.fixture
def catalogue(tmp_path):
    related = procedure_record(
        "1.999002",
        name="Thủ tục liên quan thử nghiệm",
        online_level="offline",
        channels=[{"kind": "direct", "time_value": 1}],
    )
    main = procedure_record(related=["1.999002"])
    faq = [
        {"procedure": "1.999001", "question": "Mất bao lâu?", "answer": "Năm ngày làm việc."},
        {"question": "Câu hỏi chung về cổng?", "answer": "Trả lời chung."},
    ]
    return load_catalogue(make_data_dir(tmp_path, [main, related], faq))


def test_a_procedure_page_shows_every_field(catalogue):
    page = Renderer(catalogue).procedure_pages(["1.999001"])["thu-tuc/1-999001.md"]
    expected = [
        "# Cấp đổi giấy phép thử nghiệm",
        "1.999001",
        "Mô tả thủ tục dùng cho kiểm thử.",
        "Thủ tục đặc thù",
        "Cấp Tỉnh",
        "Dịch vụ công trực tuyến toàn trình",
        "Công dân",
        "Doanh nghiệp",
        "Đang áp dụng",
        "123/QĐ-BXD",
        "20/05/2025",
        "Trực tiếp",
        "5 ngày làm việc",
        "Lệ phí: 135.000 đồng (đồng/lần)",
        "Trực tuyến",
        "3 ngày làm việc. Kể từ khi nhận đủ hồ sơ hợp lệ",
        "Phí: Theo mức do Hội đồng nhân dân cấp tỉnh quy định",
        "Dịch vụ bưu chính",
        "7,5 ngày",
        "Cước bưu chính do người nộp trả",
        "### Trường hợp bị mất",
        "<li>Nộp tờ khai đề nghị.</li>",
        "<li>Trả kết quả cho người nộp.</li>",
        "Tờ khai đề nghị cấp đổi",
        "(TK01)",
        '<td data-label="Bản sao">2</td>',
        "Mẫu số 01 kèm Thông tư 99/2025/TT-BXD",
        "Có biểu mẫu điện tử",
        "Giấy tờ chứng minh nơi cư trú",
        "Nếu có",
        "Cơ quan thực hiện",
        "Công an cấp tỉnh",
        "Cơ quan có thẩm quyền",
        "Bộ Công an",
        "Cơ quan được ủy quyền",
        "Sở Xây dựng",
        "Cơ quan phối hợp",
        "Ủy ban nhân dân cấp xã",
        "Người đề nghị đủ 18 tuổi.",
        "Giấy phép thử nghiệm",
        "(KQ01)",
        "36/2024/QH15",
        "Luật Trật tự, an toàn giao thông đường bộ",
        "Quốc hội",
        "27/06/2024",
        "01/01/2025",
        "Bộ phận Một cửa Công an cấp tỉnh",
        'href="../../thu-tuc/1-999002/">Thủ tục liên quan thử nghiệm',
        "<summary>Mất bao lâu?</summary>",
        "Năm ngày làm việc.",
        'href="../../du-lieu/thu-tuc/1-999001.json"',
        '"@type": "GovernmentService"',
        'href="../../linh-vuc/duong-bo/"',
        'href="../../co-quan/ca-tinh/"',
    ]
    missing = [value for value in expected if value not in page]
    assert missing == []


def test_only_procedures_open_online_link_to_online_submission(tmp_path):
    suspended = procedure_record("1.999003", online_level="partial", status="suspended")
    catalogue = load_catalogue(make_data_dir(tmp_path, [procedure_record(), suspended]))
    pages = Renderer(catalogue).procedure_pages(["1.999001", "1.999003"])
    link = '<a class="md-button md-button--primary" href="../../nop-ho-so/?thu-tuc=1.999001">Nộp hồ sơ trực tuyến</a>'
    assert link in pages["thu-tuc/1-999001.md"]
    assert "nop-ho-so/" not in pages["thu-tuc/1-999003.md"]


def test_offline_procedures_have_no_online_submission_link(catalogue):
    page = Renderer(catalogue).procedure_pages(["1.999002"])["thu-tuc/1-999002.md"]
    assert "nop-ho-so/" not in page and "Nộp hồ sơ trực tuyến" not in page


def test_text_from_the_data_cannot_inject_markup(tmp_path):
    evil = procedure_record(name="Thủ tục *đậm* <script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    catalogue = load_catalogue(make_data_dir(tmp_path, [evil]))
    page = Renderer(catalogue).procedure_pages(["1.999001"])["thu-tuc/1-999001.md"]
    assert "<script>alert" not in page and "<img" not in page
    assert "# Thủ tục \\*đậm\\* &lt;script&gt;" in page


def test_a_description_with_quotes_and_backslashes_stays_the_pages_meta_description(tmp_path):
    lead = 'Đăng ký biến động ("sang tên sổ đỏ") \\ chuyển nhượng <b>đất</b> ' + "dài " * 200
    catalogue = load_catalogue(make_data_dir(tmp_path, [procedure_record(description=lead)]))
    page = Renderer(catalogue).procedure_pages(["1.999001"])["thu-tuc/1-999001.md"]
    meta = yaml.safe_load(page.split("---\n")[1])
    assert meta["description"].startswith("1.999001 · ")
    assert "(&#34;sang tên sổ đỏ&#34;) \\ chuyển nhượng &lt;b&gt;đất&lt;/b&gt;" in meta["description"]
    assert len(html.unescape(meta["description"])) <= 300 and meta["description"].endswith("dài…")


def test_browse_pages_list_each_procedure_under_its_groups(catalogue):
    pages = Renderer(catalogue).browse_pages()
    link = 'href="../../thu-tuc/1-999001/">Cấp đổi giấy phép thử nghiệm</a>'
    for path in (
        "linh-vuc/duong-bo.md",
        "co-quan/ca-tinh.md",
        "co-quan/so-xd.md",
        "cap-thuc-hien/cap-tinh.md",
        "doi-tuong/cong-dan.md",
        "doi-tuong/doanh-nghiep.md",
        "a-z/c.md",
    ):
        assert link in pages[path], path
    assert (
        'href="../linh-vuc/duong-bo/">Đường bộ</a> <span class="portal-count">2 thủ tục' in pages["linh-vuc/index.md"]
    )
    assert "Thủ tục liên quan thử nghiệm" in pages["a-z/t.md"]


def test_faq_pages_group_questions_by_sector_and_keep_general_ones_on_the_index(catalogue):
    pages = Renderer(catalogue).browse_pages()
    assert "Câu hỏi chung về cổng?" in pages["hoi-dap/index.md"]
    assert "Mất bao lâu?" in pages["hoi-dap/duong-bo.md"]


def test_the_search_page_offers_filters_for_what_the_catalogue_holds(catalogue):
    page = Renderer(catalogue).browse_pages()["tim-kiem/index.md"]
    assert '<option value="Đường bộ">' in page
    assert '<option value="Cấp Tỉnh">' in page
    assert '<option value="Doanh nghiệp">' in page
    assert '<option value="Cấp Bộ">' not in page


def test_the_home_page_lists_featured_procedures_in_order(tmp_path):
    data = make_data_dir(tmp_path, [procedure_record("1.999001"), procedure_record("1.999002", name="Thủ tục khác")])
    (data / "featured.yaml").write_text('- "1.999002"\n- "1.999001"\n', encoding="utf-8")
    home = Renderer(load_catalogue(data)).browse_pages()["index.md"]
    assert home.index("Thủ tục khác") < home.index("Cấp đổi giấy phép thử nghiệm")
    assert 'href="thu-tuc/1-999002/"' in home


def test_long_browse_lists_are_split_into_pages_of_one_hundred(tmp_path):
    records = [procedure_record(f"1.9{i:05d}", name=f"Thủ tục {i:03d}") for i in range(250)]
    pages = Renderer(load_catalogue(make_data_dir(tmp_path, records))).browse_pages()
    first, third = pages["linh-vuc/duong-bo.md"], pages["linh-vuc/duong-bo/trang-3.md"]
    assert first.count('<li><a href="../../thu-tuc/') == 100
    assert third.count('<li><a href="../../../thu-tuc/') == 50
    assert "250 thủ tục." in third
    assert '<a href="./trang-2/">Trang 2</a>' in first and '<span aria-current="page">Trang 1</span>' in first
    assert '<a href="../">Trang 1</a>' in third and '<span aria-current="page">Trang 3</span>' in third
    assert "linh-vuc/duong-bo/trang-4.md" not in pages


def test_a_faq_page_made_from_the_same_names_and_questions_is_kept_from_the_last_build(tmp_path):
    def rendered(previous: ListMemo | None, name: str, answer: str) -> tuple[dict[str, str], ListMemo]:
        """The browse pages rendered after a build whose lists were `previous`, and their memo."""
        faq = [{"procedure": "1.999001", "question": "Mất bao lâu?", "answer": answer}]
        data = make_data_dir(tmp_path / f"{name}-{answer}", [procedure_record(name=name)], faq)
        renderer = Renderer(load_catalogue(data), previous)
        pages = renderer.browse_pages()
        assert ("hoi-dap/duong-bo.md" in pages) != ("hoi-dap/duong-bo.md" in renderer.lists.kept)
        return pages, ListMemo(renderer.lists.salt, dict(renderer.lists.pages))

    pages, memo = rendered(None, "Cấp phép", "Năm ngày.")
    assert "Năm ngày." in pages["hoi-dap/duong-bo.md"]
    pages, memo = rendered(memo, "Cấp phép", "Năm ngày.")
    assert "hoi-dap/duong-bo.md" not in pages  # the same questions and names: kept
    pages, memo = rendered(memo, "Cấp phép", "Ba ngày.")
    assert "Ba ngày." in pages["hoi-dap/duong-bo.md"]
    pages, memo = rendered(memo, "Cấp phép mới", "Ba ngày.")
    assert "## Cấp phép mới" in pages["hoi-dap/duong-bo.md"]
