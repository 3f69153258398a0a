"""Spreadsheet exports (CSV and .xlsx) that can never smuggle in a formula.

A company name, username or user agent such as ``=HYPERLINK("http://evil", "点此")``
would otherwise run as a formula when a bank officer opens the export in Excel or
WPS. Every cell goes through :func:`neutralize` (the OWASP CSV-injection rule: a
text cell starting with ``= + - @`` tab or carriage return gets a leading ``'``);
numbers stay numbers. In .xlsx, text cells are also written with the string data
type, so even a missed prefix could not become a formula.
"""

from __future__ import annotations

import csv
import io
import numbers
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

if TYPE_CHECKING:  # openpyxl names its write-only sheet in a private module
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Control characters XML 1.0 (hence .xlsx) cannot hold; a user agent may carry them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Row = Iterable[object]


def neutralize(value: object) -> object:
    """One cell as it may be exported: a number, or text that cannot start a formula."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralize_row(row: Row) -> list[object]:
    return [neutralize(value) for value in row]


class _Echo:
    """A file-like object whose ``write`` hands the line back (for streaming)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """CSV text line by line: a BOM first (Excel then reads UTF-8), every cell neutralized."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in chain([header], rows):
        yield writer.writerow(neutralize_row(row))


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = content_disposition_header(True, filename)


def csv_response(header: Row, rows: Iterable[Row], *, filename: str) -> HttpResponse:
    response = HttpResponse("".join(csv_lines(header, rows)), content_type=CSV_CONTENT_TYPE)
    _attachment(response, filename)
    return response


def csv_streaming_response(header: Row, rows: Iterable[Row], *, filename: str) -> StreamingHttpResponse:
    """For long exports: rows are read and written as the client downloads."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE)
    _attachment(response, filename)
    return response


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    value = neutralize(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)  # NumPy integers too
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    cell = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("", str(value)))
    cell.data_type = "s"  # text, whatever it looks like: never a formula
    return cell


def xlsx_bytes(header: Row, rows: Iterable[Row], *, title: str = "Sheet1") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for row in chain([header], rows):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(header: Row, rows: Iterable[Row], *, filename: str, title: str = "Sheet1") -> HttpResponse:
    response = HttpResponse(xlsx_bytes(header, rows, title=title), content_type=XLSX_CONTENT_TYPE)
    _attachment(response, filename)
    return response
