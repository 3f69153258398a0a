"""Legal representative's ID number and phone: encrypted at rest, masked for others."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from loanhub.consent.models import Purpose
from loanhub.enterprises.models import Enterprise
from loanhub.security.masking import mask_id_number, mask_phone
from tests.factories.credit import authorize
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db
ID_NUMBER = "440103199001011234"
PHONE = "13812345678"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw(enterprise: Enterprise) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_rep_id_number, legal_rep_phone FROM enterprises_enterprise WHERE id = %s",
            [enterprise.pk],
        )
        return cursor.fetchone()


def test_the_database_holds_ciphertext_and_the_model_plaintext():
    enterprise = EnterpriseFactory(legal_rep_id_number=ID_NUMBER, legal_rep_phone=PHONE)
    stored_id, stored_phone = raw(enterprise)
    assert ID_NUMBER not in stored_id and PHONE not in stored_phone
    assert stored_id.startswith("gAAAA")  # a Fernet token
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.legal_rep_id_number, fresh.legal_rep_phone) == (ID_NUMBER, PHONE)


def test_blank_values_stay_blank_and_need_no_key(settings):
    enterprise = EnterpriseFactory()
    assert raw(enterprise) == ("", "")
    assert Enterprise.objects.get(pk=enterprise.pk).legal_rep_phone == ""


def test_rotation_reencrypts_with_the_new_key(settings):
    settings.LOANHUB_FIELD_KEYS = [OLD_KEY]
    enterprise = EnterpriseFactory(legal_rep_id_number=ID_NUMBER, legal_rep_phone=PHONE)
    before = raw(enterprise)[0]
    assert Fernet(OLD_KEY).decrypt(before.encode()).decode() == ID_NUMBER

    settings.LOANHUB_FIELD_KEYS = [NEW_KEY, OLD_KEY]  # new key first, old one kept
    assert Enterprise.objects.get(pk=enterprise.pk).legal_rep_id_number == ID_NUMBER
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))

    after_id, after_phone = raw(enterprise)
    assert after_id != before
    assert Fernet(NEW_KEY).decrypt(after_id.encode()).decode() == ID_NUMBER
    assert Fernet(NEW_KEY).decrypt(after_phone.encode()).decode() == PHONE
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(after_id.encode())
    settings.LOANHUB_FIELD_KEYS = [NEW_KEY]  # the old key can now be dropped
    assert Enterprise.objects.get(pk=enterprise.pk).legal_rep_phone == PHONE


def test_masking_helpers():
    assert mask_id_number(ID_NUMBER) == "4401**********1234"
    assert mask_phone(PHONE) == "138****5678"
    assert mask_id_number("") == "" and mask_phone("123") == "***"


def test_members_see_full_values_and_banks_see_them_masked(client, sme_owner, bank_a, officer_a):
    user, enterprise = sme_owner
    Enterprise.objects.filter(pk=enterprise.pk).update(legal_rep_id_number=ID_NUMBER, legal_rep_phone=PHONE)

    client.force_login(user)
    own = client.get(reverse("enterprises:detail", args=[enterprise.uscc])).content.decode()
    assert ID_NUMBER in own and PHONE in own

    authorize(enterprise, institution=bank_a, purpose=Purpose.UNDERWRITING)
    client.force_login(officer_a)
    bank = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc])).content.decode()
    assert "4401**********1234" in bank and "138****5678" in bank
    assert ID_NUMBER not in bank and PHONE not in bank


def test_the_django_admin_lists_masked_values_only(client, platform_admin):
    enterprise = EnterpriseFactory(legal_rep_id_number=ID_NUMBER, legal_rep_phone=PHONE)
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    listing = client.get("/django-admin/enterprises/enterprise/").content.decode()
    assert "4401**********1234" in listing and ID_NUMBER not in listing
    change = client.get(f"/django-admin/enterprises/enterprise/{enterprise.pk}/change/").content.decode()
    assert ID_NUMBER not in change and PHONE not in change


def test_registration_stores_the_legal_rep_details_encrypted(client):
    from tests.loanhub.accounts.test_registration import form_data

    data = form_data(legal_rep_id_number="44010319900101123x", legal_rep_phone=PHONE)
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.legal_rep_id_number == "44010319900101123X"
    assert PHONE not in raw(enterprise)[1]
