from __future__ import annotations

import factory

from loanhub.institutions.models import FinancialInstitution, InstitutionType


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialInstitution

    name = factory.Sequence(lambda n: f"测试银行{n}股份有限公司")
    short_name = factory.Sequence(lambda n: f"测试银行{n}")
    slug = factory.Sequence(lambda n: f"test-bank-{n}")
    type = InstitutionType.CITY_COMMERCIAL
    licence_number = factory.Sequence(lambda n: f"B9{n:04d}H244010001")
    head_office = "广州市天河区测试路1号"
    region = "440100"
