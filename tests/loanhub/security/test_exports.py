"""Spreadsheet exports never carry a live formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import numpy as np
import pytest
from openpyxl import load_workbook

from loanhub.security.exports import (
    csv_lines,
    csv_response,
    csv_streaming_response,
    neutralize,
    xlsx_bytes,
    xlsx_response,
)

DANGEROUS = ['=HYPERLINK("http://evil.example","点此")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_starting_with_a_formula_character_gets_a_quote(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["广州市明辉精密制造有限公司", "a=b", " =1", "", "'already"])
def test_ordinary_text_is_left_alone(value):
    assert neutralize(value) == value


@pytest.mark.parametrize("value", [-5, 3, -1.5, Decimal("-12.30"), np.int64(-7), np.float64(2.5), True])
def test_numbers_stay_numbers_even_negative_ones(value):
    assert neutralize(value) is value


def test_csv_lines_neutralize_header_and_rows_and_keep_numbers():
    text = "".join(csv_lines(["=名称", "金额"], [[name, -5] for name in DANGEROUS]))
    rows = parse_csv(text)
    assert rows[0] == ["'=名称", "金额"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in DANGEROUS]
    assert {r[1] for r in rows[1:]} == {"-5"}


def test_csv_responses_are_utf8_with_bom_and_a_file_name():
    for response in (
        csv_response(["企业"], [["=1+1"]], filename="leads.csv"),
        csv_streaming_response(["企业"], iter([["=1+1"]]), filename="leads.csv"),
    ):
        body = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="leads.csv"'
        assert parse_csv(body.decode("utf-8")) == [["企业"], ["'=1+1"]]


def test_xlsx_text_cells_are_strings_with_a_quote_and_numbers_stay_numeric():
    data = xlsx_bytes(["企业", "金额", "期限"], [[v, Decimal("-500000.50"), np.int64(12)] for v in DANGEROUS])
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(DANGEROUS)
    for (name, amount, term), value in zip(rows, DANGEROUS, strict=True):
        assert name.data_type == "s"
        assert name.value == "'" + value.replace("\r", "\n")  # XML reads a bare CR as LF
        assert amount.data_type == "n" and amount.value == -500000.5
        assert term.data_type == "n" and term.value == 12


def test_xlsx_plain_text_is_a_string_cell_and_control_characters_do_not_break_the_file():
    data = xlsx_bytes(["user_agent"], [["Mozilla\x01/5.0"], ["普通企业"]])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.data_type, c.value) for c in cells] == [("s", "Mozilla/5.0"), ("s", "普通企业")]


def test_xlsx_response_names_the_file():
    response = xlsx_response(["a"], [["=1"]], filename="leads-20260101.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="leads-20260101.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).active["A2"].value == "'=1"
