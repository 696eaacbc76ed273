"""The spreadsheet formula guard: a cell that Excel, LibreOffice or Google Sheets would run as a
formula is written with a leading quote, however its first character is disguised."""

import csv
import io

import pytest

from core.spreadsheets import FORMULA_STARTS, csv_text, spreadsheet_safe


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "return"])
def test_each_formula_start_is_neutralised(start):
    value = f'{start}HYPERLINK("https://evil.example")'
    assert spreadsheet_safe(value) == "'" + value
    written = list(csv.reader(io.StringIO(csv_text(["cell"], [[value]]), newline="")))
    assert written == [["cell"], ["'" + value]]


DISGUISED = {
    "full-width equals": ("\uff1d1+1", "="),
    "full-width plus": ("\uff0b1+1", "+"),
    "full-width minus": ("\uff0d1+1", "-"),
    "full-width at": ("\uff20SUM(A1:A9)", "@"),
    "small equals": ("\ufe661+1", "="),
    "zero-width space, equals": ("\u200b=1+1", "="),
    "zero-width non-joiner, equals": ("\u200c=1+1", "="),
    "zero-width joiner, plus": ("\u200d+1", "+"),
    "word joiner, at": ("\u2060@SUM(A1)", "@"),
    "byte-order mark, minus": ("\ufeff-1+1", "-"),
    "soft hyphen, equals": ("\u00ad=1+1", "="),
    "zero-width space, full-width equals": ("\u200b\u200b\uff1d1+1", "="),
}


@pytest.mark.parametrize(("value", "start"), DISGUISED.values(), ids=DISGUISED.keys())
def test_full_width_and_zero_width_prefixed_formula_starts_are_neutralised(value, start):
    from core.spreadsheets import formula_start

    assert spreadsheet_safe(value) == "'" + value  # kept as written, only made inert
    assert formula_start(value) == start  # the character a spreadsheet would see, for messages


@pytest.mark.parametrize("value", ["Ada", "O'Brien", "Smith-Jones", "a=b", "1+1", "\u200bAda", "", "＿x"])
def test_ordinary_text_is_left_as_it_is(value):
    assert spreadsheet_safe(value) == value


def test_every_cell_of_a_csv_download_goes_through_the_guard():
    text = csv_text(["name", "note"], [['\uff1dHYPERLINK("x")', "\u200b=1+1"], ["Ada", "fine"]])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ['\'\uff1dHYPERLINK("x")', "'\u200b=1+1"]
    assert rows[2] == ["Ada", "fine"]
