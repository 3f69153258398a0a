"""Wagtail pages of the public portal (after wagtail/bakerydemo).

Page tree::

    HomePage
    ├── InstitutionIndexPage (/institutions/)
    │   └── InstitutionPage (one per FinancialInstitution)
    │       └── FinancingProductPage (that bank's products)
    ├── ProductIndexPage (/products/: 金融产品超市, compare)
    ├── NewsIndexPage (/news/) → NewsPage (政策资讯)
    └── ZoneIndexPage (/zones/) → ZonePage (特色专区)

Pages present; they do not decide: ``get_context`` and the routes hand over to
presenters in ``cms.views``, which call ``cms.selectors``. A page finds its presenter
through ``cms.presenters``, so this module imports neither (the selectors read it).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from loanhub.enterprises.catalogs import PROVINCES, region_name
from loanhub.institutions.models import FinancialInstitution
from loanhub.money import format_wan

from .blocks import BaseStreamBlock
from .choices import (
    Collateral,
    Grade,
    NewsCategory,
    ProductType,
    RepaymentMethod,
    credit_category_choices,
    industry_section_choices,
    repayment_choices,
)
from .editor_forms import FinancingProductForm
from .fields import ListField
from .presenters import present

REGION_CODE = re.compile(r"^[1-8]\d{5}$")
MAX_RATE = Decimal("36")


def _trim(value: Decimal | None) -> str:
    """3.450 → "3.45", 300000.00 → "300000"."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_amount(value: Decimal | None) -> str:
    """Amounts in 元: 万 in Chinese (the unit SMEs and banks talk in), k/M in English."""
    if value is None:
        return ""
    if not (get_language() or "zh").startswith("zh"):
        for size, unit in ((1_000_000, "M"), (1_000, "k")):
            if value >= size:
                return _trim((value / size).quantize(Decimal("0.01"))) + unit
        return _trim(value)
    if value >= 10_000:
        return _trim((value / 10_000).quantize(Decimal("0.01"))) + "万"
    return _trim(value)


class HomePage(Page):
    headline = models.CharField(_("主标题"), max_length=120, default="让信用变成资金")
    intro = RichTextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("headline"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("headline"), APIField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.InstitutionIndexPage",
        "cms.ProductIndexPage",
        "cms.NewsIndexPage",
        "cms.ZoneIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context.update(present("home", request, self))
        return context


# ---------------------------------------------------------------- institutions


class InstitutionIndexPage(Page):
    intro = models.TextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.InstitutionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("金融机构列表页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context.update(present("institution_index", request, self))
        return context


class InstitutionPage(Page):
    """A bank's profile; its officers edit this subtree and nothing else."""

    institution = models.OneToOneField(
        FinancialInstitution,
        verbose_name=_("金融机构"),
        on_delete=models.PROTECT,
        related_name="portal_page",
    )
    summary = models.CharField(_("一句话简介"), max_length=200, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("机构介绍"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    service_hours = models.CharField(_("服务时间"), max_length=60, blank=True)

    content_panels = Page.content_panels + [
        # Only platform staff may relink a page to another institution.
        FieldPanel("institution", permission="institutions.change_financialinstitution"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("contact_phone"),
                FieldPanel("contact_email"),
                FieldPanel("service_hours"),
            ],
            heading=_("联系方式"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("institution_id"),
    ]
    api_fields = [
        APIField("institution_id"),
        APIField("summary"),
        APIField("body"),
        APIField("contact_phone"),
        APIField("contact_email"),
        APIField("service_hours"),
    ]
    parent_page_types = ["cms.InstitutionIndexPage"]
    subpage_types = ["cms.FinancingProductPage"]

    class Meta:
        verbose_name = _("金融机构主页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["branches"] = self.institution.branches.all()
        context.update(present("institution", request, self))
        return context


# -------------------------------------------------------------------- products


class ProductTag(TaggedItemBase):
    content_object = ParentalKey("cms.FinancingProductPage", related_name="tagged_items", on_delete=models.CASCADE)


class FinancingProductPage(RoutablePageMixin, Page):
    """A loan product, structured so that the matching engine can read it."""

    summary = models.CharField(_("产品亮点"), max_length=200, blank=True)
    product_type = models.CharField(_("产品类型"), max_length=20, choices=ProductType.choices)
    amount_min = models.DecimalField(_("最低额度（元）"), max_digits=14, decimal_places=2)
    amount_max = models.DecimalField(_("最高额度（元）"), max_digits=14, decimal_places=2)
    term_min_months = models.PositiveSmallIntegerField(_("最短期限（月）"))
    term_max_months = models.PositiveSmallIntegerField(_("最长期限（月）"))
    rate_min = models.DecimalField(_("最低年化利率（%）"), max_digits=5, decimal_places=2)
    rate_max = models.DecimalField(_("最高年化利率（%）"), max_digits=5, decimal_places=2)
    repayment_methods = ListField(_("还款方式"), item_choices=repayment_choices, blank=False)
    collateral = models.CharField(_("担保方式"), max_length=20, choices=Collateral.choices, default=Collateral.NONE)
    eligible_regions = ListField(
        _("适用地区"),
        split_on_spaces=True,
        help_text=_("6位行政区划代码，每行一个；以00结尾表示整个城市，以0000结尾表示整个省；留空表示不限地区。"),
    )
    eligible_industries = ListField(
        _("适用行业"),
        item_choices=industry_section_choices,
        help_text=_("国民经济行业分类（GB/T 4754）门类；不选表示不限行业。"),
    )
    min_years_in_business = models.DecimalField(
        _("最短经营年限（年）"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    min_grade = models.CharField(
        _("最低信用评级"),
        max_length=1,
        choices=Grade.choices,
        blank=True,
        help_text=_("A 最好、E 最差；留空表示不设评级门槛。"),
    )
    max_pd = models.DecimalField(
        _("最高违约概率（PD）"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("0 到 1 之间，如 0.05；留空表示不设门槛。"),
    )
    required_categories = ListField(
        _("需授权的信用数据类别"),
        item_choices=credit_category_choices,
        help_text=_("申请前企业须授权本产品使用的公共信用信息类别。"),
    )
    materials = ListField(_("申请材料"), help_text=_("每行一项，如：营业执照、近一年财务报表。"))
    tags = ClusterTaggableManager(
        through=ProductTag,
        blank=True,
        verbose_name=_("专区标签"),
        help_text=_("如：制造业、绿色金融、科技创新、乡村振兴；产品会出现在同名专区。"),
    )
    description = StreamField(BaseStreamBlock(), verbose_name=_("产品介绍"), blank=True)
    is_open = models.BooleanField(_("接受申请"), default=True, help_text=_("关闭后产品仍可浏览，但不接受新申请。"))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("product_type"),
                FieldRowPanel([FieldPanel("amount_min"), FieldPanel("amount_max")]),
                FieldRowPanel([FieldPanel("term_min_months"), FieldPanel("term_max_months")]),
                FieldRowPanel([FieldPanel("rate_min"), FieldPanel("rate_max")]),
                FieldPanel("repayment_methods"),
                FieldPanel("collateral"),
            ],
            heading=_("产品要素"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("eligible_regions"),
                FieldPanel("eligible_industries"),
                FieldPanel("min_years_in_business"),
                FieldRowPanel([FieldPanel("min_grade"), FieldPanel("max_pd")]),
                FieldPanel("required_categories"),
            ],
            heading=_("准入条件"),
        ),
        FieldPanel("materials"),
        FieldPanel("tags"),
        FieldPanel("description"),
        FieldPanel("is_open"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.AutocompleteField("title"),
        index.FilterField("product_type"),
        index.FilterField("is_open"),
        # People search by type and zone (信用贷, 绿色金融): index their words too.
        index.SearchField("get_product_type_display"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    api_fields = [
        APIField("summary"),
        APIField("product_type"),
        APIField("amount_min"),
        APIField("amount_max"),
        APIField("term_min_months"),
        APIField("term_max_months"),
        APIField("rate_min"),
        APIField("rate_max"),
        APIField("repayment_methods"),
        APIField("collateral"),
        APIField("eligible_regions"),
        APIField("eligible_industries"),
        APIField("min_years_in_business"),
        APIField("min_grade"),
        APIField("max_pd"),
        APIField("required_categories"),
        APIField("materials"),
        APIField("tags"),
        APIField("description"),
        APIField("is_open"),
    ]
    parent_page_types = ["cms.InstitutionPage"]
    subpage_types: list[str] = []
    # The editor types 万元, picks regions by name and gives PD in %; storage stays 元/codes/fractions.
    base_form_class = FinancingProductForm

    class Meta:
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")

    # -- validation ------------------------------------------------------------

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        self._clean_amounts(add)
        self._clean_terms(add)
        self._clean_rates(add)
        self._clean_eligibility(add)
        if errors:
            raise ValidationError(errors)

    def _clean_amounts(self, add: Any) -> None:
        for field in ("amount_min", "amount_max"):
            value = getattr(self, field)
            if value is not None and value <= 0:
                add(field, _("贷款额度必须大于0元。"))
        if self.amount_min and self.amount_max and self.amount_min > self.amount_max:
            add("amount_max", _("最高额度不能低于最低额度。"))

    def _clean_terms(self, add: Any) -> None:
        for field in ("term_min_months", "term_max_months"):
            if getattr(self, field) == 0:
                add(field, _("贷款期限至少为1个月。"))
        if (
            self.term_min_months is not None
            and self.term_max_months is not None
            and self.term_min_months > self.term_max_months
        ):
            add("term_max_months", _("最长期限不能短于最短期限。"))

    def _clean_rates(self, add: Any) -> None:
        for field in ("rate_min", "rate_max"):
            value = getattr(self, field)
            if value is not None and not (0 <= value <= MAX_RATE):
                add(field, _("年化利率应在0%到36%之间。"))
        if self.rate_min is not None and self.rate_max is not None and self.rate_min > self.rate_max:
            add("rate_max", _("最高年化利率不能低于最低年化利率。"))

    def _clean_eligibility(self, add: Any) -> None:
        for code in self.eligible_regions or []:
            if not REGION_CODE.match(str(code)) or str(code)[:2] not in PROVINCES:
                add(
                    "eligible_regions",
                    _("地区代码“%(code)s”格式不正确：应为6位行政区划代码，"
                      "如 440100（广州市）或 440000（广东省）。") % {"code": code},
                )  # fmt: skip
        for field, choices in (
            ("repayment_methods", repayment_choices()),
            ("eligible_industries", industry_section_choices()),
            ("required_categories", credit_category_choices()),
        ):
            unknown = set(getattr(self, field) or []) - {code for code, _label in choices}
            if unknown:
                add(field, _("不支持的取值：%(values)s") % {"values": "、".join(sorted(unknown))})
        if self.max_pd is not None and not (0 <= self.max_pd <= 1):
            add("max_pd", _("违约概率应在0到1之间。"))
        if self.min_years_in_business is not None and self.min_years_in_business < 0:
            add("min_years_in_business", _("经营年限不能为负数。"))

    # -- presentation ------------------------------------------------------------

    @property
    def institution(self) -> FinancialInstitution | None:
        if "_institution" in self.__dict__:  # set in bulk by selectors
            return self.__dict__["_institution"]
        parent = self.get_parent()
        if parent is None:
            return None
        specific = parent.specific
        return getattr(specific, "institution", None)

    @property
    def amount_display(self) -> str:
        if (get_language() or "zh").startswith("zh"):  # 万元 with separators: "10–1,000万元"
            low, high = format_wan(self.amount_min), format_wan(self.amount_max)
            return _("%(v)s万元") % {"v": low if low == high else f"{low}–{high}"}
        low, high = format_amount(self.amount_min), format_amount(self.amount_max)
        return _("%(v)s元") % {"v": low if low == high else f"{low}–{high}"}

    @property
    def term_display(self) -> str:
        low, high = self.term_min_months, self.term_max_months
        return _("%(v)s个月") % {"v": low if low == high else f"{low}–{high}"}

    @property
    def rate_range(self) -> str:
        low, high = f"{self.rate_min:.2f}", f"{self.rate_max:.2f}"
        return f"{low}%" if low == high else f"{low}%–{high}%"

    @property
    def rate_display(self) -> str:
        return _("年化利率 %(range)s") % {"range": self.rate_range}

    @property
    def repayment_labels(self) -> list[str]:
        labels = dict(RepaymentMethod.choices)
        return [str(labels.get(code, code)) for code in self.repayment_methods or []]

    @property
    def region_labels(self) -> list[str]:
        return [_region_label(code) for code in self.eligible_regions or []]

    @property
    def industry_labels(self) -> list[str]:
        labels = dict(industry_section_choices())
        return [str(labels.get(code, code)) for code in self.eligible_industries or []]

    @property
    def category_labels(self) -> list[str]:
        labels = dict(credit_category_choices())
        return [str(labels.get(code, code)) for code in self.required_categories or []]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        from loanhub.enterprises.selectors import enterprise_list_for_member
        from loanhub.matching.selectors import application_list_for_user

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["institution"] = self.institution
        context["can_apply"] = (
            self.is_open and user.is_authenticated and (enterprise_list_for_member(user=user).exists())
        )
        context["my_applications"] = application_list_for_user(user=user).filter(product=self)
        return context

    # -- routes ----------------------------------------------------------------

    @path("apply/", name="apply")
    def apply(self, request: HttpRequest) -> HttpResponse:
        """Applying happens in the matching flow, which checks eligibility and consent."""
        from django.shortcuts import redirect

        return redirect("matching:product_apply", product_id=self.pk)


def _region_label(code: str) -> str:
    if code.endswith("0000") and code[:2] in PROVINCES:
        return PROVINCES[code[:2]]
    return region_name(code)


class ProductIndexPage(RoutablePageMixin, Page):
    """金融产品超市: every live product, with filters, search, sort and comparison."""

    intro = models.TextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("金融产品超市")

    @path("", name="index")
    def marketplace(self, request: HttpRequest) -> HttpResponse:
        return present("marketplace", request, self)

    @path("compare/", name="compare")
    def compare(self, request: HttpRequest) -> HttpResponse:
        return present("compare", request, self)


# ------------------------------------------------------------------------ news


class NewsIndexPage(Page):
    intro = models.TextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("政策资讯列表页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context.update(present("news_index", request, self))
        return context


class NewsPage(Page):
    date = models.DateField(_("发布日期"), default=timezone.localdate)
    category = models.CharField(_("栏目"), max_length=20, choices=NewsCategory.choices, default=NewsCategory.POLICY)
    source = models.CharField(_("来源"), max_length=120, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("category")]),
        FieldPanel("source"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("date"),
    ]
    api_fields = [
        APIField("date"),
        APIField("category"),
        APIField("source"),
        APIField("summary"),
        APIField("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("政策资讯")
        verbose_name_plural = _("政策资讯")
        ordering = ["-date"]


# ----------------------------------------------------------------------- zones


class ZoneTheme(models.TextChoices):
    MANUFACTURING = "manufacturing", _("制造业")
    GREEN = "green", _("绿色金融")
    TECH = "tech", _("科技创新")
    RURAL = "rural", _("乡村振兴")
    OTHER = "other", _("其他")


class ZoneIndexPage(Page):
    intro = models.TextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ZonePage"]
    max_count = 1

    class Meta:
        verbose_name = _("特色专区列表页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context.update(present("zone_index", request, self))
        return context


class ZonePage(Page):
    """A themed zone: its own content plus every live product carrying its tag."""

    tag = models.CharField(
        _("产品标签"),
        max_length=40,
        help_text=_("带有此专区标签的已上线产品会自动列入本专区。"),
    )
    theme = models.CharField(_("主题"), max_length=20, choices=ZoneTheme.choices, default=ZoneTheme.OTHER)
    summary = models.CharField(_("一句话简介"), max_length=200, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("专区介绍"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("tag"), FieldPanel("theme")]),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    api_fields = [APIField("tag"), APIField("theme"), APIField("summary"), APIField("body")]
    parent_page_types = ["cms.ZoneIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("特色专区")
        verbose_name_plural = _("特色专区")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context.update(present("zone", request, self))
        return context
