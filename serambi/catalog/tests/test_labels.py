import pytest
from lxml import etree

from serambi.catalog.labels import barcode_svg, label_for, short_title, spine_lines

from .factories import BranchFactory, ItemFactory, RecordFactory

SVG = "{http://www.w3.org/2000/svg}"


def bar_widths(svg: str) -> list[str]:
    root = etree.fromstring(svg.encode())
    return [rect.get("width") for rect in root.iter(f"{SVG}rect") if rect.get("x")]


def test_barcode_svg_is_inline_markup_without_prolog_or_ids():
    svg = barcode_svg("B0000123")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "DOCTYPE" not in svg and " id=" not in svg
    root = etree.fromstring(svg.encode())
    assert root.get("class") == "barcode"
    assert root.get("aria-hidden") == "true"
    assert root.get("height") == "14.000mm"
    assert len(bar_widths(svg)) > 20


def test_different_barcodes_draw_different_bars():
    assert bar_widths(barcode_svg("B0000123")) != bar_widths(barcode_svg("B0000124"))


@pytest.mark.parametrize("value", ["", "Bé123"])
def test_barcode_svg_is_empty_for_what_code128_cannot_hold(value):
    assert barcode_svg(value) == ""


@pytest.mark.parametrize(
    ("call_number", "lines"),
    [
        ("959.8 PRA b", ["959.8", "PRA", "b"]),
        ("  R  899.221 3   HIR l ", ["R", "899.221", "3", "HIR", "l"]),
        ("", []),
    ],
)
def test_spine_lines_split_the_call_number(call_number, lines):
    assert spine_lines(call_number) == lines


def test_short_title_cuts_at_a_word_and_marks_the_cut():
    assert short_title("Bumi manusia") == "Bumi manusia"
    long = "Sejarah kota-kota lama di Jawa Barat : dari masa kerajaan hingga kemerdekaan"
    cut = short_title(long)
    assert cut == "Sejarah kota-kota lama di Jawa Barat…"
    assert len(cut) <= 40


@pytest.mark.django_db
def test_label_for_falls_back_to_the_record_call_number_then_the_ddc():
    branch = BranchFactory(code="keliling")
    record = RecordFactory(title="Bumi manusia", call_number="899 PRA b", ddc="899.221")
    own = ItemFactory(record=record, branch=branch, call_number="R 899 PRA b")
    inherited = ItemFactory(record=record, branch=branch, call_number="")
    label = label_for(own)
    assert label.spine_lines == ["R", "899", "PRA", "b"]
    assert label.branch_code == "KELILING"
    assert label.short_title == "Bumi manusia"
    assert label.barcode == own.barcode
    assert label.barcode_svg.startswith("<svg")
    assert label_for(inherited).spine_lines == ["899", "PRA", "b"]
    record.call_number = ""
    assert label_for(inherited).spine_lines == ["899.221"]
