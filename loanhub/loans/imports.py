"""Performance reports by file (CSV or Excel): every row checked, bad rows reported with
their row number and every reason, good rows stored through ``performance_report`` (so a
re-upload of the same file changes nothing), and only the uploading bank's loans accepted.

Reading reuses the credit-data import's reader (``read_table``): the size check, the .xlsx
archive checks before parsing (parts, unzipped size, compression ratio), the cell bound,
the encodings (UTF-8 / GB18030) and the row numbers as a person sees them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loanhub.accounts.models import User
from loanhub.credit_data.exceptions import ImportFileError
from loanhub.credit_data.validation import Table, read_table
from loanhub.institutions.models import FinancialInstitution
from loanhub.money import wan_to_yuan

from .models import Loan, LoanStatus, ReportChannel
from .services import ReportResult, performance_report

MAX_FILE_BYTES = 5 * 1024**2  # a month's report of a large branch is well under 1 MB
MAX_ROWS = 10_000  # more rows: split the file
CHUNK = 200  # rows per transaction
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")

# Column: (Chinese header, accepted aliases).
COLUMNS = {
    "loan": (gettext_lazy("贷款编号"), ("loan_id", "loan", "贷款id")),
    "as_of": (gettext_lazy("报告日期"), ("as_of", "date")),
    "status": (gettext_lazy("状态"), ("status",)),
    "outstanding": (gettext_lazy("贷款余额（万元）"), ("outstanding_wan", "贷款余额(万元)", "贷款余额")),
    "days_past_due": (gettext_lazy("逾期天数"), ("days_past_due", "dpd")),
    "note": (gettext_lazy("说明"), ("note", "备注")),
}
REQUIRED = ("loan", "as_of", "status", "outstanding", "days_past_due")
HEADER_ZH = ["贷款编号", "报告日期", "状态", "贷款余额（万元）", "逾期天数", "说明"]


@dataclass
class RejectedRow:
    row_number: int
    reasons: list[str]
    values: dict[str, str]


@dataclass
class ImportReport:
    rows_total: int = 0
    created: int = 0
    unchanged: int = 0
    corrected: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.unchanged + self.corrected


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    loan: Loan | None = None
    as_of: date | None = None
    status: str = ""
    outstanding: Decimal | None = None
    days_past_due: int | None = None
    reasons: list[str] = field(default_factory=list)


def _status_lookup() -> dict[str, str]:
    words = {str(label): value for value, label in LoanStatus.choices}
    words.update({value: value for value in LoanStatus.values})
    words.update({"逾期1-30天": LoanStatus.DPD_1_30, "逾期31-90天": LoanStatus.DPD_31_90})  # ASCII hyphen
    return words


def template_rows() -> tuple[list[str], list[list[object]]]:
    """The file's header and one sample row (which says it is one: uploaded unchanged, it is rejected)."""
    today = timezone.localdate().isoformat()
    return [str(COLUMNS[k][0]) for k in COLUMNS], [["示例（请删除此行）", today, "正常", "80", "0", "按期还款"]]


def _column_map(table: Table) -> dict[str, str]:
    """Our column key → the file's column name; a file missing a required column is refused."""
    found: dict[str, str] = {}
    for name in table.frame.columns:
        normal = str(name).strip().lower().replace(" ", "")
        for key, (header, aliases) in COLUMNS.items():
            if key not in found and normal in {str(header).lower(), *aliases}:
                found[key] = name
    missing = [str(COLUMNS[k][0]) for k in REQUIRED if k not in found]
    if missing:
        raise ImportFileError(
            _("文件缺少列：%(cols)s。请使用下载的模板（列：%(all)s）。")
            % {"cols": "、".join(missing), "all": "、".join(str(COLUMNS[k][0]) for k in COLUMNS)}
        )
    return found


def _parse_date(text: str) -> date | None:
    """2026-03-31, 2026/3/31, 2026.03.31, 20260331, or a date with a time (the time is ignored)."""
    text = text.split(" ")[0].split("T")[0]
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _parse(row: _Row, statuses: dict[str, str]) -> None:
    v = row.values
    row.as_of = _parse_date(v["as_of"])
    if row.as_of is None:
        row.reasons.append(_("报告日期“%(v)s”无法识别，应为 YYYY-MM-DD") % {"v": v["as_of"][:30]})
    row.status = statuses.get(v["status"].replace(" ", ""), "")
    if not row.status:
        row.reasons.append(_("状态“%(v)s”无法识别，应为正常、逾期1–30天、逾期31–90天、逾期90天以上、违约、已结清、已续贷或已核销")
                           % {"v": v["status"][:30]})  # fmt: skip
    amount = v["outstanding"].replace(",", "")
    if re.fullmatch(r"-?\d{1,12}(\.\d{1,6})?", amount):
        row.outstanding = wan_to_yuan(Decimal(amount))
    else:
        row.reasons.append(_("贷款余额“%(v)s”不是数字（单位：万元）") % {"v": v["outstanding"][:30]})
    if re.fullmatch(r"\d{1,6}(\.0+)?", v["days_past_due"]):
        row.days_past_due = int(Decimal(v["days_past_due"]))
    else:
        row.reasons.append(_("逾期天数“%(v)s”应为不小于 0 的整数") % {"v": v["days_past_due"][:30]})
    if len(v["note"]) > 500:
        row.reasons.append(_("说明不能超过 500 个字"))


def _rows(table: Table, columns: dict[str, str]) -> list[_Row]:
    rows = []
    for i, number in enumerate(table.row_numbers):
        values = {k: str(table.frame.at[i, columns[k]]).strip() if k in columns else "" for k in COLUMNS}
        row = _Row(int(number), values)
        if table.problems[i]:
            row.reasons.append(str(table.problems[i]))
        rows.append(row)
    return rows


def _attach_loans(rows: list[_Row], institution: FinancialInstitution) -> None:
    """Each row's loan, among the institution's own; any other id is refused the same way
    (another bank's loan does not exist for this bank)."""
    ids = {int(r.values["loan"].lstrip("'")) for r in rows if re.fullmatch(r"'?\d{1,18}", r.values["loan"])}
    loans = Loan.objects.in_bulk([i for i in ids if i < 2**63], field_name="pk")
    for row in rows:
        text = row.values["loan"].lstrip("'")
        if not text:
            row.reasons.insert(0, _("缺少贷款编号"))
            continue
        loan = loans.get(int(text)) if text.isdigit() and len(text) <= 18 else None
        if loan is None or loan.institution_id != institution.pk:
            row.reasons.insert(0, _("不是本机构的贷款（贷款编号 %(v)s）") % {"v": text[:30]})
        else:
            row.loan = loan


def _mark_duplicates(rows: list[_Row]) -> None:
    first: dict[tuple[int, date], int] = {}
    for row in rows:
        if row.loan is None or row.as_of is None:
            continue
        key = (row.loan.pk, row.as_of)
        if key in first:
            row.reasons.append(_("与第 %(n)d 行重复（同一贷款、同一报告日期）") % {"n": first[key]})
        else:
            first[key] = row.number


def check_file_size(size: int) -> None:
    """Refuse a performance file over ``MAX_FILE_BYTES`` (an upload: before reading it)."""
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("文件大小为 %(size)s，超过上限 %(limit)s，请拆分后分批上传。")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_FILE_BYTES)}
        )


def performance_file_import(
    *, data: bytes, file_name: str, institution: FinancialInstitution, user: User
) -> ImportReport:
    """Read, check and store a performance file; the report says what happened to every row."""
    check_file_size(len(data))
    if Path(file_name).suffix.lower() not in SUFFIXES:
        raise ImportFileError(_("请上传 CSV 或 Excel（.xlsx）文件。"))
    table = read_table(data, file_name)
    if len(table.frame) > MAX_ROWS:
        raise ImportFileError(
            _("文件有 %(n)d 行，超过每次 %(max)d 行的上限，请拆分后分批上传。")
            % {"n": len(table.frame), "max": MAX_ROWS}
        )
    rows = _rows(table, _column_map(table))
    statuses = _status_lookup()
    for row in rows:
        _parse(row, statuses)
    _attach_loans(rows, institution)
    _mark_duplicates(rows)
    report = ImportReport(rows_total=len(rows))
    # Day by day per loan, so a file listing a loan's days out of order still closes it last.
    ordered = sorted(rows, key=lambda r: (r.loan.pk if r.loan else 0, r.as_of or date.min, r.number))
    for start in range(0, len(ordered), CHUNK):
        # One commit per chunk, not per row (each row still has its own savepoint inside the
        # service, so a refused row leaves the others); the chunk's loans stay locked meanwhile.
        with transaction.atomic():
            for row in ordered[start : start + CHUNK]:
                _store(row, user, report)
    report.rejected.sort(key=lambda r: r.row_number)
    return report


def _store(row: _Row, user: User, report: ImportReport) -> None:
    loan, as_of, outstanding, dpd = row.loan, row.as_of, row.outstanding, row.days_past_due
    if not row.reasons and loan is not None and as_of is not None and outstanding is not None and dpd is not None:
        try:  # the service checks the row (every reason at once) before it writes anything
            outcome = performance_report(
                loan=loan, as_of=as_of, status=row.status, outstanding=outstanding, days_past_due=dpd,
                note=row.values["note"], channel=ReportChannel.FILE, user=user,
            )  # fmt: skip
        except ValidationError as exc:
            row.reasons.extend(exc.messages)
        else:
            _count(report, outcome.result)
            return
    report.rejected.append(RejectedRow(row.number, _unique(row.reasons), row.values))


def _count(report: ImportReport, result: ReportResult) -> None:
    if result == ReportResult.CREATED:
        report.created += 1
    elif result == ReportResult.CORRECTED:
        report.corrected += 1
    else:
        report.unchanged += 1


def _unique(reasons: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(str(r) for r in reasons))


# The rejected rows of an upload stay downloadable (as CSV, to fix and upload again) this long,
# for the person who uploaded; in the shared cache, so any server process can serve the link.
REJECTIONS_KEEP_SECONDS = 3600


def _rejections_key(token: str) -> str:
    return f"loans:upload-rejections:{token}"


def rejections_keep(*, user: User, rejected: list[RejectedRow]) -> str:
    """Keep an upload's rejected rows (row number, reasons, the cells as uploaded) for its
    uploader; the token names them in the download link."""
    token = secrets.token_urlsafe(18)
    rows = [[r.row_number, "；".join(r.reasons), *(r.values.get(k, "") for k in COLUMNS)] for r in rejected]
    cache.set(_rejections_key(token), {"user": user.pk, "rows": rows}, REJECTIONS_KEEP_SECONDS)
    return token


def rejections_get(*, user: User, token: str) -> list[list[object]] | None:
    """The rows kept under ``token`` if ``user`` uploaded them and they have not expired."""
    kept = cache.get(_rejections_key(token))
    if not kept or kept["user"] != user.pk:
        return None
    return list(kept["rows"])
