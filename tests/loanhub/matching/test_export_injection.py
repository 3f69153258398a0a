"""The workbench export (CSV and Excel) cannot carry a live formula.

An SME chooses its company name and an officer their display name; either could
start with "=" and run as a formula in the bank's spreadsheet.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from loanhub.accounts.models import Role
from loanhub.institutions.services import institution_add_staff
from loanhub.matching.lifecycle import lead_claim
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
FORMULA_STARTS = tuple(PREFIXES)


@pytest.fixture
def leads(bank_a_page, officer_a):
    product = product_create(bank_a_page, title="甲信用贷")
    made = []
    for i, prefix in enumerate(PREFIXES):
        lead = lead_for(product)
        lead.enterprise.name = f'{prefix}HYPERLINK("http://evil.example/{i}","企业{i}")'
        lead.enterprise.save()
        made.append(lead)
    claimer = UserFactory(username="officer_x", display_name="=cmd|' /C calc'!A0", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_a_page.institution, user=claimer)
    lead_claim(lead=made[0], officer=claimer)
    return made


def test_csv_export_neutralizes_company_and_officer_names(client, leads, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("leads_admin:export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    for lead in leads:
        assert "'" + lead.enterprise.name in cells
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert {"50", "50.0"} & set(cells)  # amounts (万元) are written as numbers, unquoted


def test_excel_export_writes_text_as_strings_and_numbers_as_numbers(client, leads, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("leads_admin:export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    text = {c.value: c for c in cells if c.data_type == "s"}
    for lead in leads:
        # openpyxl reads a carriage return back as a line feed (XML line endings)
        assert "'" + lead.enterprise.name.replace("\r", "\n") in text
    assert "'=cmd|' /C calc'!A0" in text
    assert not [v for v in text if v.startswith(FORMULA_STARTS)]
    amounts = [c for c in cells if c.value == 50]  # 万元
    assert amounts and all(c.data_type == "n" for c in amounts)
