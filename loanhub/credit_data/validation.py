"""Reading exchange files and validating them row by row, vectorized with pandas.

A bad row never stops the good ones: every row gets either a normalized payload
or a reason for rejection.

Rows of a sensitive catalog category get a keyed ``payload_hash`` (a plain SHA-256
of a low-entropy tax amount could be reversed by hashing guesses) and, when
rejected, keep only ``uscc`` and ``record_date`` of their raw values.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.enterprises.uscc import validate_uscc

from .catalog import CATEGORY_BY_CODE
from .exceptions import ImportFileError
from .schema import BASE_COLUMNS, COLUMNS, NATURAL_KEY, Column, column_names

TRUE_WORDS = {"1", "true", "yes", "y", "是", "已履行", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "未履行", "f"}
MAX_TEXT = 200
PAYLOAD_HASH_SALT = "loanhub.credit_data.payload_hash"
REDACTED = "***"


@dataclass
class ValidatedFrame:
    good: pd.DataFrame  # uscc, record_date (date), payload (dict), natural_key, payload_hash, row_number
    rejected: pd.DataFrame  # row_number, reason, raw (dict)
    rows_total: int


def read_table(data: bytes, file_name: str) -> pd.DataFrame:
    """Read CSV, Excel (.xlsx) or JSON Lines into a frame of strings."""
    suffix = Path(file_name).suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
        elif suffix in (".jsonl", ".ndjson", ".json"):
            frame = pd.read_json(io.BytesIO(data), lines=True, dtype=False)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
        elif suffix in (".csv", ".txt", ""):
            frame = _read_csv(data)
        else:
            raise ImportFileError(
                _("不支持的文件类型“%(suffix)s”，请上传 CSV、Excel（.xlsx）或 JSON Lines 文件。")
                % {"suffix": suffix}
            )
    except ImportFileError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds for a broken file
        raise ImportFileError(
            _("无法读取文件“%(name)s”：%(error)s") % {"name": file_name, "error": exc}
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.fillna("").astype(str).apply(lambda s: s.str.strip())


def _read_csv(data: bytes) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(
                io.BytesIO(data), dtype=str, keep_default_na=False, encoding=encoding
            )
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("文件编码无法识别，请使用 UTF-8 或 GB18030 编码。"))


def check_columns(frame: pd.DataFrame, category: str) -> None:
    required = ["uscc", "record_date"] + [c.name for c in COLUMNS[category] if c.required]
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ImportFileError(
            _("文件缺少必需的列：%(cols)s。请下载“%(category)s”类别的模板。")
            % {"cols": "、".join(missing), "category": category}
        )


class _Reasons:
    """The first reason each row is rejected for."""

    def __init__(self, n: int) -> None:
        self.values = np.full(n, "", dtype=object)

    def add(self, mask: np.ndarray, reason: str) -> None:
        target = mask & (self.values == "")
        self.values[target] = reason


def _parse_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.where(values != ""), errors="coerce", format="mixed")


def _column(frame: pd.DataFrame, col: Column, reasons: _Reasons) -> pd.Series:
    raw = frame[col.name] if col.name in frame.columns else pd.Series("", index=frame.index)
    blank = (raw == "").to_numpy()
    if col.required:
        reasons.add(blank, _("列“%(col)s”不能为空") % {"col": col.name})
    if col.kind == "date":
        parsed = _parse_dates(raw)
        reasons.add(parsed.isna().to_numpy() & ~blank, _("列“%(col)s”日期格式无效（应为 YYYY-MM-DD）") % {"col": col.name})
        return _nullable(parsed.dt.strftime("%Y-%m-%d"), parsed.notna().to_numpy())
    if col.kind in ("decimal", "int"):
        number = pd.to_numeric(raw.str.replace(",", "", regex=False).where(~blank), errors="coerce")
        bad = number.isna().to_numpy() & ~blank
        if col.kind == "int":
            bad |= (number.notna() & (number % 1 != 0)).to_numpy()
        reasons.add(bad, _("列“%(col)s”应为数字") % {"col": col.name})
        if col.min_value is not None:
            reasons.add((number < col.min_value).to_numpy(), _("列“%(col)s”不能小于 %(min)s") % {"col": col.name, "min": col.min_value})
        if col.max_value is not None:
            reasons.add((number > col.max_value).to_numpy(), _("列“%(col)s”不能大于 %(max)s") % {"col": col.name, "max": col.max_value})
        if col.kind == "int":
            return _nullable(number.astype("Int64"), number.notna().to_numpy())
        return _nullable(number, number.notna().to_numpy())
    if col.kind == "enum":
        bad = ~raw.isin(col.choices).to_numpy() & ~blank
        reasons.add(
            bad,
            _("列“%(col)s”取值无效，应为：%(choices)s")
            % {"col": col.name, "choices": "/".join(col.choices)},
        )
        return _nullable(raw, ~blank)
    if col.kind == "bool":
        lower = raw.str.lower()
        truth = lower.isin(TRUE_WORDS)
        falsity = lower.isin(FALSE_WORDS)
        reasons.add((~truth & ~falsity).to_numpy() & ~blank, _("列“%(col)s”应为 是/否") % {"col": col.name})
        return _nullable(truth, ~blank)
    reasons.add((raw.str.len() > MAX_TEXT).to_numpy(), _("列“%(col)s”超过%(n)d个字符") % {"col": col.name, "n": MAX_TEXT})
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
        except Exception as exc:  # ValidationError: keep its message for the report
            normalized[value] = None
            messages[value] = "; ".join(getattr(exc, "messages", [str(exc)]))
    mapped = raw.map(normalized)
    bad = mapped.isna().to_numpy()
    for value, message in messages.items():
        reasons.add(bad & (raw == value).to_numpy(), message)
    return mapped


def _hash_rows(parts: pd.Series) -> pd.Series:
    return parts.map(lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())


def canonical_json(payload: dict) -> str:
    """The payload as hashed: sorted keys, so equal content gives equal text."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)


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
    key = payload_hash_key()
    return dumped.map(lambda s: hmac.new(key, s.encode("utf-8"), hashlib.sha256).hexdigest())


def redact_raw(row: dict) -> dict:
    """A rejected row of a sensitive category: only what locates it stays readable."""
    return {k: v if k in BASE_COLUMNS or v in ("", None) else REDACTED for k, v in row.items()}


def _raw_rows(frame: pd.DataFrame, category: str) -> list[dict]:
    rows = frame.to_dict("records")
    return [redact_raw(r) for r in rows] if CATEGORY_BY_CODE[category].sensitive else rows


def validate_frame(frame: pd.DataFrame, category: str, first_row: int = 2) -> ValidatedFrame:
    """Validate a frame of strings for ``category``; ``first_row`` numbers the rows.

    Row numbers are as a person sees them in the file (CSV/Excel: header is row 1).
    """
    check_columns(frame, category)
    n = len(frame)
    frame = frame.reset_index(drop=True)
    reasons = _Reasons(n)
    uscc = _usccs(frame["uscc"], reasons)
    record_date = _parse_dates(frame["record_date"])
    reasons.add(frame["record_date"].eq("").to_numpy(), _("列“record_date”不能为空"))
    reasons.add(record_date.isna().to_numpy(), _("列“record_date”日期格式无效（应为 YYYY-MM-DD）"))
    today = pd.Timestamp(timezone.localdate())
    reasons.add((record_date > today).to_numpy(), _("记录日期晚于今天"))
    values = {col.name: _column(frame, col, reasons) for col in COLUMNS[category]}
    payload = pd.DataFrame(values)
    ok = reasons.values == ""
    rows = pd.Series(np.arange(first_row, first_row + n))
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
        key_parts = key_parts + "|" + payload[name].astype(str)
    records = payload.to_dict("records")
    dumped = pd.Series([canonical_json(r) for r in records], index=payload.index)
    good = pd.DataFrame(
        {
            "row_number": rows.to_numpy(),
            "uscc": uscc.to_numpy(),
            "record_date": record_date.dt.date.to_numpy(),
            "payload": records,
            "natural_key": _hash_rows(key_parts).to_numpy(),
            "payload_hash": payload_hashes(category, dumped).to_numpy(),
        }
    )
    return good


def template_csv(category: str) -> str:
    """The header row (and one example-free line) of a category's exchange file."""
    return ",".join(column_names(category)) + "\n"
