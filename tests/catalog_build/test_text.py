import datetime as dt

import pytest

from catalog_build import text


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Đăng ký khai sinh", "Dang ky khai sinh"),
        ("giấy phép lái xe", "giay phep lai xe"),
        ("Ưu đãi thuế, Ổn định", "Uu dai thue, On dinh"),
        ("dang ky", "dang ky"),
    ],
)
def test_fold_removes_tones_and_hats_and_turns_d_with_stroke_into_d(typed, folded):
    assert text.fold(typed) == folded


def test_names_sort_in_vietnamese_dictionary_order():
    names = ["Đổi giấy phép", "Dịch vụ", "Ân hạn", "An toàn", "Ăn uống", "Ưu đãi", "Uống", "Bảo hiểm"]
    assert sorted(names, key=text.sort_key) == [
        "An toàn",
        "Ăn uống",
        "Ân hạn",
        "Bảo hiểm",
        "Dịch vụ",
        "Đổi giấy phép",
        "Uống",
        "Ưu đãi",
    ]


@pytest.mark.parametrize(
    ("name", "letter", "slug"),
    [
        ("Đăng ký", "Đ", "dd"),
        ("Dịch vụ", "D", "d"),
        ("Ủy quyền", "U", "u"),
        ("Ưu đãi", "Ư", "uw"),
        ("ấn định", "Â", "aa"),
        ("1 cửa", "C", "c"),
    ],
)
def test_initials_keep_vietnamese_letters_and_name_them_in_telex(name, letter, slug):
    assert text.initial(name) == letter
    assert text.letter_slug(letter) == slug


def test_money_dates_and_numbers_read_the_vietnamese_way():
    assert text.vnd(1_350_000) == "1.350.000 đồng"
    assert text.date_vn(dt.date(2025, 7, 1)) == "01/07/2025"
    assert text.number_vn(7.5) == "7,5"
    assert text.number_vn(5.0) == "5"
