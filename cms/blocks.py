"""StreamField blocks of the portal (after bakerydemo's ``base/blocks.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("标题"), max_length=120)
    size = blocks.ChoiceBlock(
        label=_("级别"),
        choices=[("h2", _("二级标题")), ("h3", _("三级标题"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("小标题")
        template = "cms/blocks/heading_block.html"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("数值"), max_length=30)
    label = blocks.CharBlock(label=_("说明"), max_length=60)


class KeyFiguresBlock(blocks.ListBlock):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(KeyFigureBlock(), **kwargs)

    class Meta:
        icon = "table"
        label = _("关键数字")
        template = "cms/blocks/key_figures_block.html"


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问题"), max_length=200)
    answer = blocks.RichTextBlock(label=_("回答"), features=["bold", "link", "ol", "ul"])


class FaqBlock(blocks.ListBlock):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(FaqItemBlock(), **kwargs)

    class Meta:
        icon = "help"
        label = _("常见问题")
        template = "cms/blocks/faq_block.html"


class NoticeBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        label=_("类型"),
        choices=[("info", _("提示")), ("warning", _("注意"))],
        default="info",
    )
    text = blocks.RichTextBlock(label=_("内容"), features=["bold", "link"])

    class Meta:
        icon = "warning"
        label = _("提示框")
        template = "cms/blocks/notice_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("段落"),
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul", "h3"],
        template="cms/blocks/paragraph_block.html",
    )
    key_figures = KeyFiguresBlock()
    faq = FaqBlock()
    notice = NoticeBlock()
