"""Reading exchange files and validating them row by row, vectorized with pandas.

A bad row never stops the good ones: every row gets either a normalized payload
or a reason for rejection.

Rows of a sensitive catalog category get a keyed ``payload_hash`` (a plain SHA-256
of a low-entropy tax amount could be reversed by hashing guesses) and, when
rejected, keep only ``uscc`` and ``record_date`` of their raw values.

Files are bounded before they cost much (settings ``LOANHUB_IMPORT_*``): the file
size; for .xlsx, the number and total unzipped size of the archive's parts and
their compression ratio, checked before parsing; the length of a cell (the row is
rejected, the file goes on); and how much of a rejected row is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.enterprises.uscc import validate_uscc

from .catalog import CATEGORY_BY_CODE
from .exceptions import ImportFileError
from .schema import BASE_COLUMNS, COLUMNS, NATURAL_KEY, Column

TRUE_WORDS = {"1", "true", "yes", "y", "是", "已履行", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "未履行", "f"}
MAX_TEXT = 200
PAYLOAD_HASH_SALT = "loanhub.credit_data.payload_hash"
REDACTED = "***"
MAX_COLUMN_NAME = 100
MAX_EXACT_INT = 2**53
MAX_RAW_VALUE = 500  # characters of one cell kept with a rejected row
XLSX_RATIO_MIN_PART = 1024 * 1024  # small parts may compress as well as they like


@dataclass
class ValidatedFrame:
    # uscc, record_date (date), payload (dict), natural_key, payload_hash, row_number, payload_json (canonical)
    good: pd.DataFrame
    rejected: pd.DataFrame  # row_number, reason, raw (dict)
    rows_total: int


@dataclass
class Table:
    """A file's data rows as strings, as read, before validation."""

    frame: pd.DataFrame
    row_numbers: np.ndarray  # as a person sees them (CSV/Excel: the header is row 1)
    problems: np.ndarray  # why reading already rejects a row, or ""


def check_import_size(size: int) -> None:
    """Refuse a file over ``LOANHUB_IMPORT_MAX_FILE_BYTES`` before reading it."""
    limit = settings.LOANHUB_IMPORT_MAX_FILE_BYTES
    if size > limit:
        raise ImportFileError(
            _("文件大小为 %(size)s，超过导入上限 %(limit)s，请拆分后分批导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_table(data: bytes, file_name: str) -> Table:
    """Read CSV, Excel (.xlsx) or JSON Lines into a table of strings, within bounds."""
    check_import_size(len(data))
    suffix = Path(file_name).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”，请上传 CSV、Excel（.xlsx）或 JSON Lines 文件。") % {"suffix": suffix}
        )
    try:
        table = reader(data)
    except ImportFileError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds for a broken file
        raise ImportFileError(
            _("无法读取文件“%(name)s”：%(error)s") % {"name": file_name, "error": str(exc)[:300]}
        ) from exc
    return _tidy(table)


def _tidy(table: Table) -> Table:
    """Stripped strings, no blank rows, column names and cells within bounds."""
    frame = table.frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    frame.columns = _column_labels(frame.columns)
    problems = table.problems
    keep = (frame != "").any(axis=1).to_numpy() | (problems != "")
    frame = frame[keep].reset_index(drop=True)
    table = Table(frame, table.row_numbers[keep], problems[keep].copy())
    _bound_cells(table)
    return table


def _column_labels(raw: pd.Index) -> list[str]:
    names: list[str] = []
    for i, value in enumerate(raw):
        name = str(value).strip()[:MAX_COLUMN_NAME] or f"Unnamed: {i}"
        while name in names:
            name += f".{i}"
        names.append(name)
    return names


def _bound_cells(table: Table) -> None:
    """Over-long cells reject their row (not the file) and are cut short at once."""
    limit = settings.LOANHUB_IMPORT_MAX_CELL_CHARS
    for name in table.frame.columns:
        column = table.frame[name]
        long = (column.str.len() > limit).to_numpy()
        if not long.any():
            continue
        reason = _("列“%(col)s”超过 %(n)d 个字符的上限") % {"col": name, "n": limit}
        table.problems[long & (table.problems == "")] = reason
        table.frame.loc[long, name] = column[long].str[:limit]


def _cell_text(value: object, limit: int) -> str:
    """One spreadsheet or JSON value as text; real dates become ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # One character over the limit is enough for _bound_cells to reject the row.
    return str(value)[: limit + 1]


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an .xlsx whose parts would unzip too big, or too many, before parsing.

    The sizes are the ones the archive declares; Python's zipfile never inflates
    a part beyond its declared size (a lying part fails its CRC check instead).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFileError(_("无法读取文件：它不是有效的 Excel（.xlsx）文件。")) from exc
    if len(parts) > settings.LOANHUB_IMPORT_XLSX_MAX_PARTS:
        raise ImportFileError(
            _("Excel 文件包含 %(n)d 个部件，超过上限 %(limit)d，已拒绝读取。")
            % {"n": len(parts), "limit": settings.LOANHUB_IMPORT_XLSX_MAX_PARTS}
        )
    total = sum(part.file_size for part in parts)
    limit = settings.LOANHUB_IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise ImportFileError(
            _("Excel 文件解压后为 %(size)s，超过上限 %(limit)s，已拒绝读取。请拆分文件，或另存为 CSV 后导入。")
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
        )
    ratio = settings.LOANHUB_IMPORT_XLSX_MAX_RATIO
    for part in parts:
        if part.file_size > XLSX_RATIO_MIN_PART and part.file_size > ratio * max(part.compress_size, 1):
            raise ImportFileError(
                _("Excel 文件中的“%(part)s”压缩比异常（超过 %(ratio)d 倍，疑似压缩炸弹），已拒绝读取。")
                % {"part": part.filename[:100], "ratio": ratio}
            )


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    check_xlsx_archive(data)
    limit = settings.LOANHUB_IMPORT_MAX_CELL_CHARS
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every row
        rows = sheet.iter_rows(values_only=True)
        header = [_cell_text(v, limit) for v in next(rows, ())]
        width = len(header)
        records, numbers = [], []
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v, limit) for v in row[:width]]
            if any(cells):
                records.append(cells + [""] * (width - len(cells)))
                numbers.append(number)
    finally:
        book.close()
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return Table(frame, np.array(numbers, dtype=int), np.full(len(records), "", dtype=object))


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(
                io.BytesIO(data), dtype=str, keep_default_na=False, encoding=encoding,
                skip_blank_lines=False,  # so row numbers stay those of the file
            )  # fmt: skip
        except UnicodeDecodeError:
            continue
        n = len(frame)
        return Table(frame, np.arange(2, n + 2), np.full(n, "", dtype=object))
    raise ImportFileError(_("文件编码无法识别，请使用 UTF-8 或 GB18030 编码。"))


def _read_json_lines(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("JSON Lines 文件应为 UTF-8 编码。")) from exc
    limit = settings.LOANHUB_IMPORT_MAX_CELL_CHARS
    records, numbers, problems = [], [], []
    # split("\n"), not splitlines(): U+2028 may stand unescaped inside a JSON string
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            record, problem = _json_record(line, limit)
            records.append(record)
            numbers.append(number)
            problems.append(problem)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    return Table(frame.astype(object), np.array(numbers, dtype=int), np.array(problems, dtype=object))


def _json_record(line: str, limit: int) -> tuple[dict, str]:
    """One JSON Lines row as text cells, and why it is rejected ("" if it is not)."""
    try:
        value = json.loads(line)
    except ValueError:
        return {}, _("该行不是有效的 JSON")
    if not isinstance(value, dict):
        return {}, _("该行应为一个 JSON 对象（{…}）")
    record, problem = {}, ""
    for key, cell in value.items():
        if isinstance(cell, (dict, list)):
            nested = _("列“%(col)s”是嵌套的 JSON 值（对象或数组），应为文本、数字、true/false 或 null")
            problem = problem or nested % {"col": str(key)[:MAX_COLUMN_NAME]}
            cell = json.dumps(cell, ensure_ascii=False)
        record[key] = _cell_text(cell, limit)
    return record, problem


_READERS = {
    ".xlsx": _read_xlsx, ".xlsm": _read_xlsx,
    ".jsonl": _read_json_lines, ".ndjson": _read_json_lines, ".json": _read_json_lines,
    ".csv": _read_csv, ".txt": _read_csv, "": _read_csv,
}  # fmt: skip


def check_columns(frame: pd.DataFrame, category: str) -> None:
    required = ["uscc", "record_date"] + [c.name for c in COLUMNS[category] if c.required]
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ImportFileError(
            _("文件缺少必需的列：%(cols)s。请下载“%(category)s”类别的模板。")
            % {"cols": "、".join(missing), "category": category}
        )


class _Reasons:
    """Every reason each row is rejected for, in column order, joined with "；" (a person
    fixing a row should see all of its problems at once, not one per re-import).

    A row that could not be read as written (an over-long cell cut short, a broken
    JSON line) keeps that one reason: checks of its altered cells would only mislead.
    """

    SEPARATOR = "；"

    def __init__(self, n: int) -> None:
        self.values = np.full(n, "", dtype=object)
        self.unreadable = np.zeros(n, dtype=bool)

    def read_problems(self, problems: np.ndarray) -> None:
        self.values[:] = problems
        self.unreadable = problems != ""

    def add(self, mask: np.ndarray, reason: str) -> None:
        mask = mask & ~self.unreadable
        first = mask & (self.values == "")
        more = mask & ~first
        self.values[first] = reason
        if more.any():
            self.values[more] = self.values[more] + self.SEPARATOR + reason


def _parse_dates(values: pd.Series) -> pd.Series:
    """Dates written year first (YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD), else NaT.

    Nothing is guessed: "1/2/2026" could be 1 February or 2 January.
    Each distinct text is parsed once (a file has few distinct dates, many rows).
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    if len(uniques) * 2 < len(values):
        parsed = _parse_date_texts(pd.Series(uniques, dtype=object).astype(str))
        return pd.Series(parsed.to_numpy()[codes], index=values.index)
    return _parse_date_texts(values)


def _parse_date_texts(values: pd.Series) -> pd.Series:
    iso = values.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}")
    slashed = values.str.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}")
    compact = values.str.fullmatch(r"\d{8}")
    text = values.where(~slashed, values.str.replace("/", "-", regex=False))
    text = text.where(~compact, values.str[:4] + "-" + values.str[4:6] + "-" + values.str[6:])
    return pd.to_datetime(text.where(iso | slashed | compact), format="%Y-%m-%d", errors="coerce")


def _bad_date(col: str) -> str:
    return _("列“%(col)s”日期格式无效，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD（如 2026-01-02）") % {"col": col}


def _column(frame: pd.DataFrame, col: Column, reasons: _Reasons) -> pd.Series:
    raw = frame[col.name] if col.name in frame.columns else pd.Series("", index=frame.index)
    blank = (raw == "").to_numpy()
    if col.required:
        reasons.add(blank, _("列“%(col)s”不能为空") % {"col": col.name})
    if col.kind == "date":
        parsed = _parse_dates(raw)
        reasons.add(parsed.isna().to_numpy() & ~blank, _bad_date(col.name))
        return _nullable(parsed.dt.strftime("%Y-%m-%d"), parsed.notna().to_numpy())
    if col.kind in ("decimal", "int"):
        number = pd.to_numeric(raw.str.replace(",", "", regex=False).where(~blank), errors="coerce")
        # "inf" or "1e400" is no amount (and no JSON); Int64 holds exactly up to 2**53
        number = number.where(np.isfinite(number) & ((col.kind != "int") | (number.abs() <= MAX_EXACT_INT)))
        bad = number.isna().to_numpy() & ~blank
        if col.kind == "int":
            bad |= (number.notna() & (number % 1 != 0)).to_numpy()
        reasons.add(bad, _("列“%(col)s”应为数字") % {"col": col.name})
        if col.min_value is not None:
            reasons.add(
                (number < col.min_value).to_numpy(),
                _("列“%(col)s”不能小于 %(min)s") % {"col": col.name, "min": col.min_value},
            )
        if col.max_value is not None:
            reasons.add(
                (number > col.max_value).to_numpy(),
                _("列“%(col)s”不能大于 %(max)s") % {"col": col.name, "max": col.max_value},
            )
        if col.kind == "int":
            return _nullable(number.astype("Int64"), number.notna().to_numpy())
        return _nullable(number, number.notna().to_numpy())
    if col.kind == "enum":
        bad = ~raw.isin(col.choices).to_numpy() & ~blank
        reasons.add(
            bad,
            _("列“%(col)s”取值无效，应为：%(choices)s") % {"col": col.name, "choices": "/".join(col.choices)},
        )
        return _nullable(raw, ~blank)
    if col.kind == "bool":
        lower = raw.str.lower()
        truth = lower.isin(TRUE_WORDS)
        falsity = lower.isin(FALSE_WORDS)
        reasons.add((~truth & ~falsity).to_numpy() & ~blank, _("列“%(col)s”应为 是/否") % {"col": col.name})
        return _nullable(truth, ~blank)
    reasons.add(
        (raw.str.len() > MAX_TEXT).to_numpy(), _("列“%(col)s”超过%(n)d个字符") % {"col": col.name, "n": MAX_TEXT}
    )
    return _nullable(raw, ~blank)


def _nullable(values: pd.Series, present: np.ndarray) -> pd.Series:
    """Plain Python values with None for missing ones (never NaN: payloads are JSON)."""
    out = values.astype(object).to_numpy(copy=True)
    out[~present] = None
    return pd.Series(out, index=values.index, dtype=object)


def _usccs(raw: pd.Series, reasons: _Reasons) -> pd.Series:
    normalized: dict[str, str | None] = {}
    messages: dict[str, str] = {}
    for value in raw.unique():
        try:
            normalized[value] = validate_uscc(value)
        except ValidationError as exc:  # the only error validate_uscc raises, whatever the value
            normalized[value] = None
            messages[value] = "; ".join(exc.messages)
    mapped = raw.map(normalized)
    bad = mapped.isna().to_numpy()
    for value, message in messages.items():
        reasons.add(bad & (raw == value).to_numpy(), message)
    return mapped


def _hash_rows(parts: pd.Series) -> pd.Series:
    sha256 = hashlib.sha256
    return pd.Series([sha256(s.encode("utf-8")).hexdigest() for s in parts], index=parts.index, dtype=object)


def canonical_json(payload: dict) -> str:
    """The payload as hashed: sorted keys, so equal content gives equal text."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)


def canonical_json_frame(payload: pd.DataFrame) -> pd.Series:
    """``canonical_json`` of every row, built column by column: each distinct value of a
    column is dumped once, then the texts are joined (equal, character for character, to
    dumping each row's dict). Rows holding a negative zero fall back to row by row (a
    hash table counts -0.0 and 0.0 as one value, JSON does not)."""
    names = sorted(str(c) for c in payload.columns)
    if not names:
        return pd.Series("{}", index=payload.index, dtype=object)
    pieces = []
    for name in names:
        values = payload[name].to_numpy(dtype=object)
        if any(v == 0 and np.signbit(v) for v in values[_is_float(values)]):
            return pd.Series([canonical_json(r) for r in payload.to_dict("records")], index=payload.index)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        pieces.append(_json_members(name, uniques)[codes])
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined + ", " + piece
    return pd.Series("{" + joined + "}", index=payload.index, dtype=object)


def _json_members(name: str, uniques: np.ndarray) -> np.ndarray:
    """``"name": value`` as canonical_json writes it, for each distinct value."""
    if pd.api.types.infer_dtype(uniques, skipna=False) == "integer":  # Python ints: their decimal digits
        prefix = canonical_json({name: None})[1:-1][: -len("null")]
        try:
            return (prefix + np.asarray(uniques, dtype=np.int64).astype(str)).astype(object)
        except OverflowError:
            pass
    # factorize gives a missing value back as NaN; the payload holds None there
    return np.array([canonical_json({name: None if _missing(v) else v})[1:-1] for v in uniques], dtype=object)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _is_float(values: np.ndarray) -> np.ndarray:
    return np.fromiter((isinstance(v, float) for v in values), dtype=bool, count=len(values))


def payload_hash_key() -> bytes:
    """The HMAC key of sensitive payload hashes, derived from ``SECRET_KEY``.

    Not from LOANHUB_FIELD_KEYS: rotating those must not make every stored hash
    look changed. (Changing SECRET_KEY does: the next re-import of a sensitive file
    then rewrites its rows once, with the same content.)
    """
    return hashlib.sha256(f"{PAYLOAD_HASH_SALT}{settings.SECRET_KEY}".encode()).digest()


def payload_hashes(category: str, dumped: pd.Series) -> pd.Series:
    """Hashes of canonical payload texts: SHA-256, or HMAC-SHA256 when sensitive."""
    if not CATEGORY_BY_CODE[category].sensitive:
        return _hash_rows(dumped)
    key, sha256 = payload_hash_key(), hashlib.sha256
    return pd.Series([hmac.new(key, s.encode("utf-8"), sha256).hexdigest() for s in dumped], index=dumped.index)


def redact_raw(row: dict) -> dict:
    """A rejected row of a sensitive category: only what locates it stays readable."""
    return {k: v if k in BASE_COLUMNS or v in ("", None) else REDACTED for k, v in row.items()}


def bound_raw(row: dict) -> dict:
    """A rejected row as stored: each cell cut to ``MAX_RAW_VALUE`` characters and
    the whole to about ``LOANHUB_IMPORT_REJECTED_ROW_CHARS``; later cells are dropped."""
    limit = settings.LOANHUB_IMPORT_REJECTED_ROW_CHARS
    cap = min(MAX_RAW_VALUE, limit)
    out: dict[str, object] = {}
    used = 0
    for i, (key, value) in enumerate(row.items()):
        text = "" if value is None else str(value)
        text = text if len(text) <= cap else text[:cap] + "…"
        used += len(str(key)) + len(text)
        if used > limit:
            out["…"] = _("另有 %(n)d 列未保存") % {"n": len(row) - i}
            break
        out[str(key)] = text
    return out


def _raw_rows(frame: pd.DataFrame, category: str) -> list[dict]:
    rows = frame.to_dict("records")
    if CATEGORY_BY_CODE[category].sensitive:
        rows = [redact_raw(r) for r in rows]
    return [bound_raw(r) for r in rows]


def validate_frame(
    frame: pd.DataFrame,
    category: str,
    first_row: int = 2,
    *,
    row_numbers: np.ndarray | None = None,
    problems: np.ndarray | None = None,
) -> ValidatedFrame:
    """Validate a frame of strings for ``category``.

    Row numbers are as a person sees them in the file (CSV/Excel: header is row 1):
    ``row_numbers`` when the reader knows them, else counted from ``first_row``.
    ``problems`` are reasons found while reading; they come first.
    """
    check_columns(frame, category)
    n = len(frame)
    frame = frame.reset_index(drop=True)
    reasons = _Reasons(n)
    if problems is not None:
        reasons.read_problems(problems)
    uscc = _usccs(frame["uscc"], reasons)
    record_date = _parse_dates(frame["record_date"])
    blank_date = frame["record_date"].eq("").to_numpy()
    reasons.add(blank_date, _("列“record_date”不能为空"))
    reasons.add(record_date.isna().to_numpy() & ~blank_date, _bad_date("record_date"))
    today = pd.Timestamp(timezone.localdate())
    reasons.add((record_date > today).to_numpy(), _("记录日期晚于今天"))
    values = {col.name: _column(frame, col, reasons) for col in COLUMNS[category]}
    payload = pd.DataFrame(values)
    ok = reasons.values == ""
    rows = pd.Series(row_numbers if row_numbers is not None else np.arange(first_row, first_row + n))
    rejected = pd.DataFrame(
        {
            "row_number": rows[~ok].to_numpy(),
            "reason": reasons.values[~ok],
            "raw": _raw_rows(frame[~ok], category),
        }
    )
    good = _good_rows(category, uscc[ok], record_date[ok], payload[ok], rows[ok])
    return ValidatedFrame(good=good, rejected=rejected, rows_total=n)


def _good_rows(
    category: str,
    uscc: pd.Series,
    record_date: pd.Series,
    payload: pd.DataFrame,
    rows: pd.Series,
) -> pd.DataFrame:
    dates = record_date.dt.strftime("%Y-%m-%d")
    key_parts = category + "|" + uscc.astype(str) + "|" + dates
    for name in NATURAL_KEY[category]:
        # map(str), not astype(str): pandas 3 keeps a missing value missing, and a
        # blank optional key column (a penalty without fine) must still give "None"
        key_parts = key_parts + "|" + payload[name].map(str)
    records = payload.to_dict("records")
    dumped = canonical_json_frame(payload)
    good = pd.DataFrame(
        {
            "row_number": rows.to_numpy(),
            "uscc": uscc.to_numpy(),
            "record_date": record_date.dt.date.to_numpy(),
            "payload": records,
            "natural_key": _hash_rows(key_parts).to_numpy(),
            "payload_hash": payload_hashes(category, dumped).to_numpy(),
            "payload_json": dumped.to_numpy(),  # canonical_json(payload), for bulk writers
        }
    )
    return good
