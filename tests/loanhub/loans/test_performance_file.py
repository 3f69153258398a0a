"""Reporting performance by file: good rows kept, every bad row with its row number and all
its reasons, another bank's loans refused, a re-upload changes nothing, bounded uploads."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from loanhub.credit_data.exceptions import ImportFileError
from loanhub.loans import imports
from loanhub.loans.imports import performance_file_import
from loanhub.loans.models import LoanStatus, PerformanceReport, ReportChannel
from loanhub.security.exports import xlsx_bytes
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HEADER = ["贷款编号", "报告日期", "状态", "贷款余额（万元）", "逾期天数", "说明"]


def day(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def loans(bank_a_page, bank_b_page, officer_a, manager_b):
    mine = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=TODAY - timedelta(days=100))
    also_mine = loan_create(bank_a_page, officer_a, amount=200_000, disbursed_on=TODAY - timedelta(days=100))
    theirs = loan_create(bank_b_page, manager_b, amount=300_000, disbursed_on=TODAY - timedelta(days=100))
    return mine, also_mine, theirs


def upload(data: bytes, officer, name="perf.csv"):
    return performance_file_import(data=data, file_name=name, institution=officer.institution_membership.institution,
                                   user=officer)  # fmt: skip


def test_good_rows_are_stored_and_bad_rows_reported_with_every_reason(loans, officer_a):
    mine, also_mine, theirs = loans
    data = csv_bytes([
        [mine.pk, day(30), "正常", "38", "0", "按期"],            # row 2: good, Chinese label
        [also_mine.pk, day(30), "dpd_1_30", "19.5", "12", ""],     # row 3: good, code
        [theirs.pk, day(30), "正常", "20", "0", ""],               # row 4: another bank's loan
        [mine.pk, "2026/13/45", "逾期", "abc", "-1", ""],          # row 5: four reasons
        [also_mine.pk, day(20), "正常", "50", "3", ""],            # row 6: over the amount and a dpd mismatch
        [999999, day(20), "正常", "1", "0", ""],                   # row 7: no such loan: same refusal
    ])  # fmt: skip
    report = upload(data, officer_a)
    assert (report.rows_total, report.created, report.unchanged, report.corrected) == (6, 2, 0, 0)
    rejected = {r.row_number: r.reasons for r in report.rejected}
    assert sorted(rejected) == [4, 5, 6, 7]
    assert rejected[4] == [f"不是本机构的贷款（贷款编号 {theirs.pk}）"]
    assert len(rejected[5]) == 4 and "报告日期“2026/13/45”无法识别" in rejected[5][0]
    assert any("状态“逾期”无法识别" in r for r in rejected[5]) and any("不是数字" in r for r in rejected[5])
    assert len(rejected[6]) == 2 and "不能超过贷款金额 20 万元" in rejected[6][0] and "逾期天数应为 0" in rejected[6][1]
    assert rejected[7] == ["不是本机构的贷款（贷款编号 999999）"]
    stored = PerformanceReport.objects.get(loan=also_mine)
    assert (stored.status, stored.outstanding, stored.channel) == (LoanStatus.DPD_1_30, Decimal("195000"), "file")
    assert not PerformanceReport.objects.filter(loan=theirs).exists()


def test_uploading_the_same_file_again_changes_nothing(loans, officer_a):
    mine, also_mine, _ = loans
    data = csv_bytes([[mine.pk, day(30), "正常", "38", "0", ""], [also_mine.pk, day(30), "正常", "20", "0", ""]])
    assert upload(data, officer_a).created == 2
    again = upload(data, officer_a)
    assert (again.created, again.unchanged, again.corrected, again.rejected) == (0, 2, 0, [])
    assert PerformanceReport.objects.count() == 2 and not PerformanceReport.objects.filter(corrections__gt=0).exists()


def test_a_changed_row_corrects_that_day(loans, officer_a):
    mine, _, _ = loans
    upload(csv_bytes([[mine.pk, day(30), "正常", "38", "0", ""]]), officer_a)
    report = upload(csv_bytes([[mine.pk, day(30), "逾期1-30天", "38", "4", "更正"]]), officer_a)  # ASCII hyphen
    assert report.corrected == 1 and PerformanceReport.objects.get().corrections == 1


def test_a_loans_days_in_any_order_close_it_last(loans, officer_a):
    mine, _, _ = loans
    data = csv_bytes([[mine.pk, day(1), "已结清", "0", "0", ""], [mine.pk, day(40), "正常", "30", "0", ""]])
    report = upload(data, officer_a)
    assert report.created == 2 and report.rejected == []
    mine.refresh_from_db()
    assert mine.status == LoanStatus.REPAID


def test_a_repeated_loan_and_day_in_one_file_is_refused(loans, officer_a):
    mine, _, _ = loans
    report = upload(csv_bytes([[mine.pk, day(9), "正常", "38", "0", ""], [mine.pk, day(9), "正常", "37", "0", ""]]),
                    officer_a)  # fmt: skip
    assert report.created == 1 and report.rejected[0].row_number == 3
    assert report.rejected[0].reasons == ["与第 2 行重复（同一贷款、同一报告日期）"]


def test_excel_and_gb18030_files_are_read(loans, officer_a):
    mine, also_mine, _ = loans
    xlsx = xlsx_bytes(HEADER, [[mine.pk, day(5), "正常", 38, 0, ""]])
    assert upload(xlsx, officer_a, name="perf.xlsx").created == 1
    gbk = csv_bytes([[also_mine.pk, day(5), "正常", "20", "0", "中文说明"]], encoding="gb18030")
    assert upload(gbk, officer_a).created == 1
    assert PerformanceReport.objects.get(loan=also_mine).note == "中文说明"


def test_a_file_without_the_required_columns_is_refused_whole(loans, officer_a):
    with pytest.raises(ImportFileError, match="文件缺少列：状态、逾期天数"):
        upload(csv_bytes([[1, day(1), "1"]], header=["贷款编号", "报告日期", "贷款余额（万元）"]), officer_a)


def test_uploads_are_bounded(loans, officer_a, monkeypatch):
    with pytest.raises(ImportFileError, match="请上传 CSV 或 Excel"):
        upload(b"{}", officer_a, name="perf.json")
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImportFileError, match="超过上限"):
        upload(csv_bytes([[1, day(1), "正常", "1", "0", "x" * 200]]), officer_a)
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 10**6)
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(ImportFileError, match="超过每次 2 行的上限"):
        upload(csv_bytes([[1, day(1), "正常", "1", "0", ""]] * 3), officer_a)


def test_the_upload_page_shows_the_report_and_the_template_downloads(client, loans, officer_a):
    mine, _, theirs = loans
    client.force_login(officer_a)
    template = client.get(reverse("loans_admin:upload_template"))
    assert template.status_code == 200 and "贷款编号" in template.content.decode("utf-8-sig")
    data = csv_bytes([[mine.pk, day(3), "正常", "38", "0", ""], [theirs.pk, day(3), "正常", "20", "0", ""]])
    assert client.post(reverse("loans_admin:upload"), {}).status_code == 400  # no file: the form says so
    upload_file = io.BytesIO(data)
    upload_file.name = "perf.csv"
    html = client.post(reverse("loans_admin:upload"), {"file": upload_file}).content.decode()
    assert "导入结果" in html and f"不是本机构的贷款（贷款编号 {theirs.pk}）" in html
    assert PerformanceReport.objects.get().channel == ReportChannel.FILE


def test_all_rejected_rows_download_for_the_uploader_only(client, loans, officer_a, manager_a):
    mine, _, theirs = loans
    rows = [[mine.pk, day(3), "正常", "38", "0", ""]]
    rows += [[theirs.pk, day(n), "正常", "20", "0", "=HYPERLINK(1)"] for n in range(4, 10)]
    upload_file = io.BytesIO(csv_bytes(rows))
    upload_file.name = "perf.csv"
    client.force_login(officer_a)
    html = client.post(reverse("loans_admin:upload"), {"file": upload_file}).content.decode()
    [link] = re.findall(r'href="(/cms-admin/loans/upload/rejected/[^"]+\.csv)"', html)
    assert "下载全部 6 行拒收记录" in html
    got = list(csv.reader(io.StringIO(client.get(link).content.decode("utf-8-sig"))))
    assert got[0] == ["行号", "原因", *HEADER]
    assert [r[0] for r in got[1:]] == ["3", "4", "5", "6", "7", "8"]
    assert all(f"不是本机构的贷款（贷款编号 {theirs.pk}）" in r[1] for r in got[1:])
    assert {r[2] for r in got[1:]} == {str(theirs.pk)} and {r[7] for r in got[1:]} == {"'=HYPERLINK(1)"}
    # someone else at the same bank, or the same person after the hour: back to the upload page
    client.force_login(manager_a)
    refused = client.get(link, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("loans_admin:upload")
    assert "拒收记录已过期" in refused.content.decode()
    client.force_login(officer_a)
    cache.clear()
    assert client.get(link).url == reverse("loans_admin:upload")


def test_the_template_uploaded_unchanged_is_rejected_not_stored(loans, officer_a):
    header, rows = imports.template_rows()
    report = upload(csv_bytes(rows, header=header), officer_a)
    assert report.created == 0 and len(report.rejected) == 1 and not PerformanceReport.objects.exists()
