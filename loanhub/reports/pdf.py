"""The report as an A4 PDF (ReportLab): an official-looking Chinese document with a
header and footer on every page, the verification QR code and URL on every page,
and page numbers "第 X 页 共 Y 页".

Pure rendering: it gets the content and the report's facts and returns bytes; it
reads no database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .content import ReportContent
from .fonts import report_font

ISSUER = "LoanHub 信易贷平台"
TITLE = "企业公共信用报告"
SUBTITLE = "（专项版 · 用于代替无违法违规证明）"
RED = colors.HexColor("#b42318")
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")
LINE = colors.HexColor("#c9ced6")
SHADE = colors.HexColor("#f3f4f6")
ALERT = colors.HexColor("#fdecea")
PAGE_TOTAL = "page_total"
MARGIN_X = 20 * mm
MARGIN_TOP = 30 * mm
MARGIN_BOTTOM = 32 * mm
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ReportFacts:
    number: str
    issued_at: datetime
    purpose: str  # its Chinese label
    verify_url: str


def render_report_pdf(*, content: ReportContent, facts: ReportFacts) -> bytes:
    font = report_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{TITLE} {facts.number}",
        author=ISSUER,
        subject=f"{content.enterprise.name} {TITLE}",
        creator=ISSUER,
        lang="zh-CN",
    )
    decorate = _PageDecorator(font, facts, content.enterprise.is_synthetic)
    story = _story(content, facts, styles)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_numbered_canvas(font))
    return buffer.getvalue()


# --------------------------------------------------------------------- styles


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14.5, textColor=INK, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontSize=24, leading=32, alignment=TA_CENTER, textColor=RED),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=16, alignment=TA_CENTER, textColor=MUTED),
        "h1": ParagraphStyle(
            "h1", base, fontSize=13.5, leading=20, spaceBefore=12, spaceAfter=6, textColor=RED, keepWithNext=1
        ),
        "h2": ParagraphStyle("h2", base, fontSize=11, leading=16, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "cell": ParagraphStyle("cell", base, fontSize=8.8, leading=12.5),
        "head": ParagraphStyle("head", base, fontSize=8.8, leading=12.5, textColor=MUTED),
        "flag": ParagraphStyle("flag", base, fontSize=8.5, leading=12, textColor=RED),
        "note": ParagraphStyle(
            "note", base, fontSize=8.8, leading=13.5, textColor=MUTED, leftIndent=12, firstLineIndent=-12
        ),
        "alert": ParagraphStyle("alert", base, fontSize=10, leading=15, textColor=RED),
        "end": ParagraphStyle("end", base, fontSize=9, alignment=TA_CENTER, textColor=MUTED, spaceBefore=14),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(rows: list[list], widths: list[float], *, header: bool = True, extra: list | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(commands + (extra or [])))
    return table


# ---------------------------------------------------------------------- story


def _story(content: ReportContent, facts: ReportFacts, s: dict[str, ParagraphStyle]) -> list:
    width = A4[0] - 2 * MARGIN_X
    story: list = [
        Spacer(1, 2 * mm),
        _p(TITLE, s["title"]),
        _p(SUBTITLE, s["subtitle"]),
        Spacer(1, 6 * mm),
        _identity(content, facts, s, width),
    ]
    chapters = [
        ("报告摘要", _summary(content, s, width)),
        ("信用信息明细", _details(content, s, width)),
        ("异议与信用修复", _disputes(content, s, width)),
    ]
    if content.include_score:
        chapters.append(("信用评分（企业申请展示）", _score(content, s, width)))
    chapters += [("数据来源与更新时间", _sources(content, s, width)), ("报告说明", _legend(content, facts, s))]
    for index, (title, flowables) in enumerate(chapters):
        # A chapter heading never ends a page: it stays with the chapter's first block.
        story.append(KeepTogether([_p(f"{NUMERALS[index]}、{title}", s["h1"]), *flowables[:1]]))
        story.extend(flowables[1:])
    issued = timezone.localtime(facts.issued_at).strftime("%Y年%m月%d日 %H:%M")
    story.append(_p(f"—— 报告结束 ——    出具机构：{ISSUER}    生成时间：{issued}", s["end"]))
    return story


def _identity(content: ReportContent, facts: ReportFacts, s: dict, width: float) -> Table:
    e = content.enterprise
    issued = timezone.localtime(facts.issued_at).strftime("%Y-%m-%d %H:%M:%S")
    capital = f"{e.registered_capital / 10000:,.2f} 万元"
    pairs = [
        ("报告编号", facts.number),
        ("报告用途", facts.purpose),
        ("企业名称", e.name),
        ("统一社会信用代码", e.uscc),
        ("法定代表人", e.legal_representative),
        ("成立日期", e.registration_date.strftime("%Y-%m-%d")),
        ("注册资本", capital),
        ("所在地区", f"{e.region_name}（{e.region}）"),
        ("所属行业", f"{e.industry_name}（{e.industry}）"),
        ("报告期间", f"{content.period_start:%Y-%m-%d} 至 {content.period_end:%Y-%m-%d}"),
        ("生成时间", issued),
        ("出具机构", ISSUER),
    ]
    rows = []
    for i in range(0, len(pairs), 2):
        row = []
        for label, value in pairs[i : i + 2]:
            row += [_p(label, s["head"]), _p(value, s["cell"])]
        rows.append(row)
    label_w, value_w = 30 * mm, width / 2 - 30 * mm
    shade = [("BACKGROUND", (c, 0), (c, -1), SHADE) for c in (0, 2)]
    return _table(rows, [label_w, value_w, label_w, value_w], header=False, extra=shade)


def _summary(content: ReportContent, s: dict, width: float) -> list:
    out: list = []
    if content.knockout:
        box = _table(
            [[_p("重要提示：企业存在生效中的失信被执行人名单记录（详见明细）。", s["alert"])]],
            [width],
            header=False,
            extra=[("BACKGROUND", (0, 0), (-1, -1), ALERT), ("BOX", (0, 0), (-1, -1), 1, RED)],
        )
        out += [box, Spacer(1, 3 * mm)]
    rows = [[_p("信息类别", s["head"]), _p("记录数", s["head"]), _p("报告期内情况", s["head"])]]
    highlight = []
    for i, section in enumerate(content.sections, start=1):
        rows.append([_p(section.name, s["cell"]), _p(str(section.count), s["cell"]), _p(section.statement, s["cell"])])
        if section.negative and section.count:
            highlight.append(("TEXTCOLOR", (0, i), (-1, i), RED))
    out.append(
        _table(rows, [34 * mm, 16 * mm, width - 50 * mm], extra=[("ALIGN", (1, 1), (1, -1), "CENTER"), *highlight])
    )
    return out


def _details(content: ReportContent, s: dict, width: float) -> list:
    out: list = []
    for index, section in enumerate(content.sections, start=1):
        head: list[Flowable] = [_p(f"（{_numeral(index)}）{section.name}", s["h2"]), _p(section.statement, s["base"])]
        if not section.entries:
            out.append(KeepTogether(head))
            continue
        rows: list[list] = [[_p("日期", s["head"]), _p("内容", s["head"]), _p("标注", s["head"])]]
        for entry in section.entries:
            flags = [_p(f, s["flag"]) for f in entry.flags] or [_p("—", s["cell"])]
            rows.append([_p(entry.day.strftime("%Y-%m-%d"), s["cell"]), _p(entry.text, s["cell"]), flags])
        table = _table(rows, [22 * mm, width - 62 * mm, 40 * mm])
        if len(rows) < 12:  # a short table stays with its heading
            out.append(KeepTogether([*head, Spacer(1, 2 * mm), table]))
        else:  # a long one starts under it and repeats its header row on each page
            out += [KeepTogether(head), Spacer(1, 2 * mm), table]
    return out


def _disputes(content: ReportContent, s: dict, width: float) -> list:
    out: list = []
    if content.objections:
        out.append(
            _p(
                f"截至报告生成时，企业有 {len(content.objections)} 条信用异议正在处理，"
                "相关记录已在明细中标注“异议处理中”。",
                s["base"],
            )
        )
        rows = [[_p(h, s["head"]) for h in ("信息类别", "记录日期", "提出日期", "答复期限")]]
        rows += [
            [
                _p(o.category, s["cell"]),
                _p(f"{o.record_date:%Y-%m-%d}", s["cell"]),
                _p(f"{o.raised_on:%Y-%m-%d}", s["cell"]),
                _p(f"{o.due_date:%Y-%m-%d}", s["cell"]),
            ]
            for o in content.objections
        ]
        out += [Spacer(1, 2 * mm), _table(rows, [width / 4] * 4), Spacer(1, 3 * mm)]
    else:
        out.append(_p("截至报告生成时，企业无处理中的信用异议。", s["base"]))
    if content.repairs:
        out.append(_p(f"报告期内有 {len(content.repairs)} 条记录完成信用修复，修复后不再作为失信记录使用。", s["base"]))
        rows = [[_p(h, s["head"]) for h in ("信息类别", "记录日期", "修复日期")]]
        rows += [
            [
                _p(r.category, s["cell"]),
                _p(f"{r.record_date:%Y-%m-%d}", s["cell"]),
                _p(f"{r.repaired_on:%Y-%m-%d}" if r.repaired_on else "—", s["cell"]),
            ]
            for r in content.repairs
        ]
        out += [Spacer(1, 2 * mm), _table(rows, [width / 3] * 3)]
    else:
        out.append(_p("报告期内无完成信用修复的记录。", s["base"]))
    return out


def _score(content: ReportContent, s: dict, width: float) -> list:
    score = content.score
    if score is None:
        return [_p("企业申请展示信用评分，但平台暂无该企业的评分。", s["base"])]
    rows = [
        [_p(h, s["head"]) for h in ("信用分（300–900）", "等级（A–E）", "评分基准日", "模型版本")],
        [
            _p(str(score.score), s["cell"]),
            _p(score.grade, s["cell"]),
            _p(f"{score.as_of:%Y-%m-%d}", s["cell"]),
            _p(score.model_version.version, s["cell"]),
        ],
    ]
    note = "评分由平台风险模型依据企业的公共信用信息计算，仅供参考，不构成任何授信承诺；企业有权要求对评分作出说明。"
    return [_table(rows, [width / 4] * 4), Spacer(1, 2 * mm), _p(note, s["note"])]


def _sources(content: ReportContent, s: dict, width: float) -> list:
    rows = [[_p(h, s["head"]) for h in ("信息类别", "数据来源", "数据更新至")]]
    for section in content.sections:
        sources = "、".join(section.sources) or "暂无数据交换记录"
        as_of = f"{section.as_of:%Y-%m-%d}" if section.as_of else "—"
        rows.append([_p(section.name, s["cell"]), _p(sources, s["cell"]), _p(as_of, s["cell"])])
    return [_table(rows, [34 * mm, width - 64 * mm, 30 * mm])]


def _legend(content: ReportContent, facts: ReportFacts, s: dict) -> list:
    notes = [
        f"本报告由{ISSUER}依据平台归集的公共信用信息自动生成，报告期为 {content.period_start:%Y-%m-%d} 至 "
        f"{content.period_end:%Y-%m-%d}，信息截至报告生成时间。"
        "“报告期内无……记录”即表示平台归集的该类信息中，"
        "报告期内没有应当列示的记录，可用于代替相关部门出具的无违法违规证明。",
        "负面信息自不良行为或事件终止之日起满 5 年不再使用（《征信业管理条例》第十六条）；"
        "司法判决、被执行和失信被执行人记录依此列示，"
        "生效中的失信被执行人名单不论列入时间均予列示。",
        "行政处罚依《信用修复管理办法》列示：轻微处罚不予公示；"
        "一般处罚公示最短 3 个月、最长 1 年，严重处罚最短 1 年、最长 3 年；"
        "超过最长公示期的不再列示；公示期内已完成信用修复的标注“已信用修复”，不再作为失信记录使用。",
        "经信用异议核实删除的记录不列示；"
        "异议处理中的记录标注“异议处理中”及答复期限（《征信业管理条例》第二十五条：20 日内答复）。",
        "纳税金额等敏感信息仅列示记录数，不列示金额；社保、公积金、水电燃气按月汇总，仅列示存在欠费或逾期的月份。",
        "本报告包含企业申请展示的信用评分。" if content.include_score else "本报告不包含信用评分（企业未选择展示）。",
        f"核验方式：报告编号唯一。扫描每页右下角二维码或访问 {facts.verify_url} ，"
        "可查看出具机构、企业、报告期、用途、生成时间、状态与文件摘要（SHA-256），"
        "并可上传本报告 PDF 文件核对是否与平台存档一致。报告经企业撤回后，核验页显示“已撤回”。",
    ]
    if content.enterprise.is_synthetic:
        notes.append("本报告所涉企业及信用记录均为沙箱合成数据，仅供演示，不代表任何真实企业。")
    return [_p(f"{i}. {text}", s["note"]) for i, text in enumerate(notes, start=1)]


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    return f"十{NUMERALS[n - 11]}" if n < 20 else str(n)


# ---------------------------------------------------------- page decoration


class _PageDecorator:
    """Header, footer, QR code and (for sandbox data) a watermark on every page."""

    def __init__(self, font: str, facts: ReportFacts, synthetic: bool) -> None:
        self.font, self.facts, self.synthetic = font, facts, synthetic
        self.qr = segno.make(facts.verify_url, error="m")

    def __call__(self, canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        width, height = A4
        if self.synthetic:
            self._watermark(canvas, width, height)
        top = height - 16 * mm
        canvas.setFillColor(RED)
        canvas.setFont(self.font, 10)
        canvas.drawString(MARGIN_X, top, ISSUER)
        canvas.setFillColor(MUTED)
        canvas.setFont(self.font, 8.5)
        canvas.drawCentredString(width / 2, top, TITLE)
        canvas.drawRightString(width - MARGIN_X, top, f"报告编号：{self.facts.number}")
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN_X, top - 3 * mm, width - MARGIN_X, top - 3 * mm)
        self._footer(canvas, width)
        canvas.restoreState()

    def _footer(self, canvas: Canvas, width: float) -> None:
        size = 20 * mm
        x, y = width - MARGIN_X - size, 8 * mm
        self._draw_qr(canvas, x, y, size)
        self._page_number(canvas, width / 2, y)
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, y + size + 2 * mm, width - MARGIN_X, y + size + 2 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(self.font, 7.5)
        canvas.drawString(MARGIN_X, y + 14 * mm, f"核验地址：{self.facts.verify_url}")
        canvas.drawString(MARGIN_X, y + 10 * mm, "扫描右侧二维码或访问核验地址，可核对本报告真伪、状态及文件摘要。")
        canvas.drawString(MARGIN_X, y + 6 * mm, f"本报告由{ISSUER}出具，未经企业同意不得用于报告用途以外的目的。")

    def _page_number(self, canvas: Canvas, centre: float, y: float) -> None:
        """ "第 X 页  共 Y 页": Y is the form the canvas defines when it is saved."""
        canvas.setFont(self.font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(centre - 1 * mm, y, f"第 {canvas.getPageNumber()} 页")
        left = centre + 1 * mm
        canvas.drawString(left, y, "共 ")
        canvas.saveState()
        canvas.translate(left + canvas.stringWidth("共 ", self.font, 8), y)
        canvas.doForm(PAGE_TOTAL)
        canvas.restoreState()

    def _draw_qr(self, canvas: Canvas, x: float, y: float, size: float) -> None:
        matrix = [list(row) for row in self.qr.matrix]
        cell = size / (len(matrix) + 2)  # a one-module quiet zone on each side
        canvas.setFillColor(colors.white)
        canvas.rect(x, y, size, size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    canvas.rect(x + (c + 1) * cell, y + size - (r + 2) * cell, cell, cell, stroke=0, fill=1)

    def _watermark(self, canvas: Canvas, width: float, height: float) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.07))
        canvas.setFont(self.font, 46)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, 0, "沙箱合成数据 · 仅供演示")
        canvas.restoreState()


def _numbered_canvas(font: str) -> type[Canvas]:
    """A canvas that knows the page count at the end: each page shows the form
    ``PAGE_TOTAL`` ("N 页"), which is defined once, when the document is saved
    (PDF forms may be used before they are defined)."""

    class NumberedCanvas(Canvas):
        def save(self) -> None:
            total = self.getPageNumber() - 1  # save() comes after the last page ended
            self.beginForm(PAGE_TOTAL)
            self.setFont(font, 8)
            self.setFillColor(MUTED)
            self.drawString(0, 0, f"{total} 页")
            self.endForm()
            super().save()

    return NumberedCanvas
