"""Reading input the way a person meant it: encodings, numbers, dates, and what scoring coerced.

* :func:`read_csv` reads a CSV in the given encoding, or detects UTF-8 (with or
  without a byte-order mark) and falls back to GB18030 (which covers GBK and
  GB2312) when the bytes are not UTF-8.
* :func:`parse_numbers` reads numbers written with thousands separators
  (``"1,234"``, ``"129,000.50"``, ``"-2,500"``) as numbers.
* :func:`date_kind` recognises date strings (ISO ``2024-03-05``,
  ``2024-03-05 10:00``, ``2024/03/05``, ``05/03/2024`` or ``03/05/2024``,
  ``2024-03`` and ``2024年3月5日``); :func:`parse_dates` parses them, telling
  day-first from month-first by the values (a first field above 12 means day
  first) or by ``dayfirst`` / ``date_format``; when every value could be read
  either way it refuses rather than guess.
* :func:`prepare_training_frame` turns number-like text into numbers and drops
  date columns (with the reason), before the training columns are chosen.
* :func:`coercion_report` says, per model feature, how many values of a frame
  to score the model could not use as given (unseen categories, unparseable
  numbers, absent columns), with examples; :func:`check_coercion` fails when a
  column's share exceeds a threshold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risk_models.exceptions import DataError, RiskModelsError

#: Default of ``--max-coercion-rate``: the largest share of a column's values
#: that scoring may read as missing (unseen category, unparseable number).
DEFAULT_MAX_COERCION_RATE = 0.05
#: A text column is numeric when at least this share of its values parse as numbers.
NUMERIC_TEXT_SHARE = 0.98
#: A text column is a date column when at least this share of its values look like dates.
DATE_SHARE = 0.9
EXAMPLES = 5

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DATE_PATTERNS: dict[str, re.Pattern[str]] = {
    "iso": re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"),
    "ymd": re.compile(r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}$"),
    "ym": re.compile(r"^\d{4}[-/.]\d{1,2}$"),
    "zh": re.compile(r"^\d{4}年\d{1,2}月(?:\d{1,2}日)?$"),
    "dmy_or_mdy": re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
}


class CoercionError(RiskModelsError, ValueError):
    """Scoring would read too many values of a column as missing."""

    def __init__(self, report: CoercionReport, max_rate: float) -> None:
        self.report = report
        bad = [c for c in report.columns if c.excess() > max_rate]
        lines = [f"{c.describe()}" for c in bad]
        super().__init__(
            f"{len(bad)} column(s) would be scored with more than {max_rate:.0%} of their values read as missing "
            "(raise --max-coercion-rate to accept):\n  " + "\n  ".join(lines)
        )


# --------------------------------------------------------------------------- #
# files


def read_csv(path: str | Path, encoding: str | None = None, **kwargs: Any) -> tuple[pd.DataFrame, str]:
    """Read a CSV file; returns the frame and the encoding used.

    Without ``encoding``: UTF-8 (a byte-order mark is dropped), else GB18030.
    A header-only file gives a frame with columns and no rows.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"cannot read {path}: no such file")
    tries = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    last: Exception | None = None
    for name in tries:
        try:
            frame: pd.DataFrame = pd.read_csv(file, encoding=name, **kwargs)
        except LookupError as exc:
            raise DataError(f"unknown encoding {name!r}") from exc
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise DataError(f"cannot read {path} as CSV: {exc}") from exc
        if frame.columns.size == 0:
            raise DataError(f"cannot read {path} as CSV: no columns")
        return frame, "utf-8" if name == "utf-8-sig" else name
    hint = "" if encoding else " (tried UTF-8 and GB18030; name the file's encoding with --encoding)"
    raise DataError(f"cannot read {path} as CSV in {' or '.join(tries)}: {last}{hint}")


# --------------------------------------------------------------------------- #
# numbers


def _text(values: pd.Series) -> pd.Series:
    """Stripped strings of the non-missing values (missing stay missing)."""
    present = values.notna().to_numpy()
    raw = values.to_numpy(dtype=object)
    cells = [str(v).strip() if keep else None for v, keep in zip(raw, present, strict=True)]
    return pd.Series(cells, index=values.index, name=values.name, dtype=object)


def _grouped(text: pd.Series) -> pd.Series:
    """Which cells are numbers written with thousands separators."""
    return text.map(lambda v: isinstance(v, str) and bool(_THOUSANDS.match(v))).astype(bool)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers as float64; text with thousands separators (``"1,234.5"``) is read as a number.

    Values that are not numbers become NaN (see :func:`coercion_report` for
    how many).
    """
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return pd.Series(values.to_numpy(dtype=np.float64, na_value=np.nan), index=values.index, name=values.name)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # each distinct value is read once
    stripped = [str(v).strip() for v in uniques]
    cells = [None if c == "" else (c.replace(",", "") if _THOUSANDS.match(c) else c) for c in stripped]
    parsed = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce")
    lookup = np.asarray(parsed, dtype=np.float64)
    out = np.full(codes.size, np.nan)
    present = codes >= 0
    out[present] = lookup[codes[present]]
    return pd.Series(out, index=values.index, name=values.name)


def is_number_text(values: pd.Series) -> bool:
    """True for a text column of numbers written with thousands separators, e.g. ``"1,234"``.

    At least one value must use separators (digit strings without any, such as
    region codes, stay text) and at least :data:`NUMERIC_TEXT_SHARE` of the
    values must parse.
    """
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = _text(values)
    present = text.notna() & (text.fillna("") != "")
    n = int(present.sum())
    if n == 0 or not _grouped(text[present]).any():
        return False
    parsed = parse_numbers(values[present])
    return bool(parsed.notna().sum() >= NUMERIC_TEXT_SHARE * n)


# --------------------------------------------------------------------------- #
# dates


def date_kind(values: pd.Series) -> str | None:
    """The date layout of a text column (``iso``, ``ymd``, ``ym``, ``zh``, ``dmy_or_mdy``) or None."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    text = _text(values).dropna()
    text = text[text != ""]
    if text.empty:
        return None
    sample = text.iloc[:: max(1, len(text) // 2000)]
    for kind, pattern in _DATE_PATTERNS.items():
        hits = sample.map(lambda v, p=pattern: bool(p.match(v)))
        if hits.mean() >= DATE_SHARE:
            return kind
    return None


def _day_first_evidence(text: pd.Series) -> tuple[int, int, list[str], list[str]]:
    parts = text.str.extract(r"^(\d{1,2})[/.-](\d{1,2})[/.-]")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    day_first = text[first > 12]
    month_first = text[second > 12]
    return len(day_first), len(month_first), list(day_first.head(3)), list(month_first.head(3))


def parse_dates(values: pd.Series, *, dayfirst: bool | None = None, date_format: str | None = None) -> pd.Series:
    """Parse a date column; raise :class:`DataError` rather than guess or drop values.

    Parameters
    ----------
    values : pandas.Series
        Dates as text (or already datetimes).
    dayfirst : bool, optional
        For ``dd/mm/yyyy`` vs ``mm/dd/yyyy``. Without it the values decide: a
        first field above 12 somewhere means day first, a second field above
        12 means month first; if no value settles it (every day is <= 12) or
        the values disagree, a :class:`DataError` asks for ``--dayfirst`` or
        ``--date-format``.
    date_format : str, optional
        A ``strftime`` format every value must follow (e.g. ``%d/%m/%Y``).

    Returns
    -------
    pandas.Series of datetime64 (NaT where the value was missing)
    """
    name = values.name
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = _text(values)
    present = text.notna() & (text != "")
    if date_format:
        parsed = pd.to_datetime(text.where(present, None), format=date_format, errors="coerce")
        _no_failures(text, present, parsed, f"column {name!r} with --date-format {date_format}")
        return parsed
    kind = date_kind(values)
    if kind is None:
        parsed = pd.to_datetime(text.where(present, None), errors="coerce", format="mixed")
        _no_failures(text, present, parsed, f"column {name!r}")
        return parsed
    if kind == "dmy_or_mdy":
        if dayfirst is None:
            n_day, n_month, day_ex, month_ex = _day_first_evidence(text[present])
            if n_day and n_month:
                raise DataError(
                    f"column {name!r} mixes day-first dates (e.g. {day_ex}) and month-first dates "
                    f"(e.g. {month_ex}); fix the file or give --date-format"
                )
            if not n_day and not n_month:
                example = list(text[present].head(3))
                raise DataError(
                    f"column {name!r} has dates like {example} where day and month cannot be told apart "
                    "(no field above 12); pass --dayfirst (dd/mm/yyyy) or --date-format (e.g. %m/%d/%Y)"
                )
            dayfirst = bool(n_day)
        formats = ["%d/%m/%Y", "%d/%m/%y"] if dayfirst else ["%m/%d/%Y", "%m/%d/%y"]
        clean = text.where(present, None).str.replace(r"[.-]", "/", regex=True).str.split(r"[ T]", n=1).str[0]
        parsed = pd.to_datetime(clean, format=formats[0], errors="coerce")
        short = parsed.isna() & clean.notna()
        if short.any():
            parsed[short] = pd.to_datetime(clean[short], format=formats[1], errors="coerce")
        _no_failures(text, present, parsed, f"column {name!r} read {'day' if dayfirst else 'month'} first")
        return parsed
    clean = text.where(present, None)
    if kind == "ym":
        parsed = pd.to_datetime(clean.str.replace(r"[/.]", "-", regex=True), format="%Y-%m", errors="coerce")
    elif kind == "zh":
        clean = clean.str.replace(r"月$", "月1日", regex=True)
        parsed = pd.to_datetime(clean, format="%Y年%m月%d日", errors="coerce")
    elif kind == "ymd":
        parsed = pd.to_datetime(clean.str.replace(".", "/", regex=False), format="%Y/%m/%d", errors="coerce")
    else:
        parsed = pd.to_datetime(clean, format="ISO8601", errors="coerce", utc=False)
    _no_failures(text, present, parsed, f"column {name!r}")
    return parsed


def _no_failures(text: pd.Series, present: pd.Series, parsed: pd.Series, where: str) -> None:
    failed = present & parsed.isna()
    if failed.any():
        examples = list(text[failed].drop_duplicates().head(EXAMPLES))
        raise DataError(f"{where}: {int(failed.sum())} value(s) are not dates, e.g. {examples}")


# --------------------------------------------------------------------------- #
# training input


@dataclass
class Prepared:
    """A feature frame with number-like text read as numbers and date columns removed."""

    frame: pd.DataFrame
    dropped: dict[str, str] = field(default_factory=dict)
    number_text: dict[str, int] = field(default_factory=dict)


def prepare_training_frame(frame: pd.DataFrame) -> Prepared:
    """Read number-like text columns as numbers; drop date columns (they are not features).

    Returns
    -------
    Prepared
        ``dropped`` maps each date column to its reason; ``number_text`` maps
        each column read from text to the count of values that did not parse.
    """
    columns: dict[str, pd.Series] = {}
    out = Prepared(frame)
    for name in frame.columns:
        column = frame[name]
        kind = date_kind(column)
        if kind is not None:
            layout = "datetime" if kind == "datetime" else kind.replace("_", " ")
            out.dropped[str(name)] = f"date column ({layout}); dates are not used as features"
            continue
        if is_number_text(column):
            parsed = parse_numbers(column)
            present = _text(column).fillna("") != ""
            out.number_text[str(name)] = int((present & parsed.isna()).sum())
            columns[str(name)] = parsed
        else:
            columns[str(name)] = column
    out.frame = pd.DataFrame(columns, index=frame.index)
    return out


# --------------------------------------------------------------------------- #
# scoring input


@dataclass
class ColumnCoercion:
    """What scoring could not use as given in one feature column."""

    column: str
    kind: str  # "numeric" | "categorical"
    problem: str  # "missing column" | "unparseable number" | "unseen category"
    n_rows: int
    n_coerced: int
    examples: list[str]
    n_thousands: int = 0
    expected_rate: float = 0.0  # share outside the categories kept at training (scored as missing then too)

    @property
    def rate(self) -> float:
        """Share of rows whose given value was read as missing."""
        return self.n_coerced / self.n_rows if self.n_rows else 0.0

    def describe(self) -> str:
        """One line naming the column, the problem, the count and examples."""
        if self.problem == "missing column":
            return f"{self.column}: missing column (all {self.n_rows:,} rows scored as missing)"
        expected = (
            f" ({self.expected_rate:.1%} expected: at training that share was outside the kept categories)"
            if self.expected_rate
            else ""
        )
        return (
            f"{self.column}: {self.n_coerced:,} of {self.n_rows:,} rows ({self.rate:.1%}) {self.problem}, "
            f"scored as missing{expected}; e.g. {self.examples}"
        )

    def excess(self) -> float:
        """The coerced share beyond what training already had (compared with the threshold)."""
        return self.rate - self.expected_rate

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "column": self.column,
            "kind": self.kind,
            "problem": self.problem,
            "n_rows": self.n_rows,
            "n_coerced": self.n_coerced,
            "rate": round(self.rate, 6),
            "examples": self.examples,
            "n_thousands_separators": self.n_thousands,
            "expected_rate": self.expected_rate,
        }


@dataclass
class CoercionReport:
    """Per-column coercion of a frame scored by a model."""

    n_rows: int
    columns: list[ColumnCoercion]
    thousands: dict[str, int] = field(default_factory=dict)

    @property
    def max_rate(self) -> float:
        """The largest per-column share read as missing."""
        return max((c.rate for c in self.columns), default=0.0)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "n_rows": self.n_rows,
            "max_rate": round(self.max_rate, 6),
            "columns": [c.as_dict() for c in self.columns],
            "numbers_read_with_thousands_separators": self.thousands,
        }

    def lines(self) -> list[str]:
        """Readable lines, one per affected column."""
        out = [c.describe() for c in self.columns]
        out += [f"{name}: {n:,} values read with thousands separators" for name, n in self.thousands.items()]
        return out


def coercion_report(frame: pd.DataFrame, features: Sequence[Mapping[str, Any]]) -> CoercionReport:
    """Count, per model feature, the given values that scoring reads as missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data to score.
    features : sequence of mapping
        The card's ``features`` entries.

    Returns
    -------
    CoercionReport
        Absent columns, unparseable numbers and unseen categories (count and
        up to five examples each), and how many numbers were read with
        thousands separators.
    """
    n = len(frame)
    report = CoercionReport(n, [])
    for spec in features:
        name = str(spec["name"])
        kind = str(spec["type"])
        if name not in frame.columns:
            report.columns.append(ColumnCoercion(name, kind, "missing column", n, n, []))
            continue
        column = frame[name]
        if kind != "categorical" and (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            continue  # numbers already: nothing to coerce
        codes, uniques = pd.factorize(column, use_na_sentinel=True)  # each distinct value is checked once
        cells = [str(v).strip() for v in uniques]
        given = np.asarray([c != "" for c in cells], dtype=bool)
        if kind == "categorical":
            levels = set(map(str, spec.get("levels", [])))
            lost_value = given & ~np.asarray([c in levels for c in cells], dtype=bool)
            problem = "unseen category"
        else:
            numbers = parse_numbers(pd.Series(cells, dtype=object)).to_numpy()
            lost_value = given & np.isnan(numbers)
            problem = "unparseable number"
            grouped_value = np.asarray([bool(_THOUSANDS.match(c)) for c in cells], dtype=bool)
            counts = np.bincount(codes[codes >= 0], minlength=len(cells))
            if int(counts[grouped_value].sum()):
                report.thousands[name] = int(counts[grouped_value].sum())
        lost = np.zeros(n, dtype=bool)
        present = codes >= 0
        lost[present] = lost_value[codes[present]]
        if lost.any():
            examples = [c for c, bad in zip(cells, lost_value, strict=True) if bad][:EXAMPLES]
            expected = float(spec.get("outside_levels_share", 0.0)) if kind == "categorical" else 0.0
            report.columns.append(ColumnCoercion(name, kind, problem, n, int(lost.sum()), examples, 0, expected))
    return report


def check_coercion(report: CoercionReport, max_rate: float) -> None:
    """Raise :class:`CoercionError` when a column's coerced share exceeds ``max_rate``.

    For a categorical column the share that training itself had outside the
    kept categories (``outside_levels_share`` in the card; at most 200 are
    kept) is not counted against the threshold.
    """
    if not 0.0 <= max_rate <= 1.0:
        raise ValueError(f"max coercion rate must lie in [0, 1], got {max_rate}")
    if any(c.excess() > max_rate for c in report.columns):
        raise CoercionError(report, max_rate)
