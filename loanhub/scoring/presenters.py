"""A model card (model_card.json) as labelled tables for the back office.

The card keeps its keys (it is the model's file format); the page shows each item by a
Chinese label, proportions as percentages, features by their meaning from the feature
dictionary, and says which way each pushes risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from risk_models.feature_dictionary import FEATURES

PERCENT = {"bad_rate", "observed_bad_rate", "mean_pd", "share"}
LABELS = {
    "format": gettext_lazy("文件格式"), "version": gettext_lazy("版本"), "synthetic": gettext_lazy("沙箱合成数据"),
    "risk_models": gettext_lazy("risk_models 版本"), "lightgbm": gettext_lazy("LightGBM 版本"),
    "kind": gettext_lazy("数据来源"), "n_enterprises": gettext_lazy("企业数"), "seed": gettext_lazy("随机种子"),
    "as_of": gettext_lazy("数据截至"), "data_hash": gettext_lazy("训练数据摘要（SHA-256）"),
    "target": gettext_lazy("目标字段"), "positive": gettext_lazy("违约取值"), "time_col": gettext_lazy("时间字段"),
    "id_col": gettext_lazy("样本编号字段"), "n_rows": gettext_lazy("样本数"),
    "n_unlabelled_dropped": gettext_lazy("无标签剔除数"), "bad_rate": gettext_lazy("违约率"),
    "validation": gettext_lazy("验证方式"), "calibration_fitted_on": gettext_lazy("校准拟合数据"),
    "auc": "AUC", "gini": gettext_lazy("基尼系数（Gini）"), "ks": "KS", "brier": gettext_lazy("Brier 分数"),
    "mean_pd": gettext_lazy("平均违约概率"), "observed_bad_rate": gettext_lazy("实际违约率"),
    "grade_bad_rates_monotone": gettext_lazy("各等级违约率单调"), "auc_std": gettext_lazy("AUC 标准差"),
    "oot_auc": gettext_lazy("时间外验证 AUC"), "oot_from": gettext_lazy("时间外样本起始日"),
    "n_oot": gettext_lazy("时间外样本数"), "in_time_validation_auc": gettext_lazy("时间内验证 AUC"),
    "best_iteration": gettext_lazy("最佳迭代轮数"), "method": gettext_lazy("校准方法"), "a": gettext_lazy("参数 a"),
    "b": gettext_lazy("参数 b"), "base_score": gettext_lazy("基准分"), "base_odds": gettext_lazy("基准好坏比"),
    "pdo": gettext_lazy("翻倍分（PDO）"), "min_score": gettext_lazy("最低分"), "max_score": gettext_lazy("最高分"),
    "objective": gettext_lazy("目标函数"), "learning_rate": gettext_lazy("学习率"),
    "num_leaves": gettext_lazy("叶子数"), "min_data_in_leaf": gettext_lazy("叶子最少样本数"),
    "feature_fraction": gettext_lazy("特征抽样比例"), "bagging_fraction": gettext_lazy("样本抽样比例"),
    "bagging_freq": gettext_lazy("抽样频率"), "lambda_l2": gettext_lazy("L2 正则"),
    "cat_smooth": gettext_lazy("类别平滑"), "max_cat_to_onehot": gettext_lazy("独热编码最大类别数"),
    "verbosity": gettext_lazy("日志级别"), "deterministic": gettext_lazy("确定性训练"),
    "force_row_wise": gettext_lazy("按行构建直方图"), "num_threads": gettext_lazy("线程数"),
    "num_boost_round": gettext_lazy("迭代轮数"),
}  # fmt: skip
VALUES = {
    "kind": {"sandbox": gettext_lazy("沙箱（合成数据）"), "csv": gettext_lazy("CSV 文件")},
    "validation": {"out_of_time": gettext_lazy("时间外验证"), "random": gettext_lazy("随机切分验证")},
    "calibration_fitted_on": {"validation set": gettext_lazy("验证集")},
    "method": {"platt": gettext_lazy("Platt 缩放"), "isotonic": gettext_lazy("保序回归")},
    "objective": {"binary": gettext_lazy("二分类")},
}
SKIP = {"monotone_constraints", "calibration_table", "grades", "score_distribution", "grade_table"}


@dataclass
class CardSection:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CardTable:
    title: str
    headers: list[str]
    rows: list[list[str]]


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return "—"
    if key in PERCENT and isinstance(value, int | float):
        return f"{value * 100:.2f}%"
    if key in VALUES:
        return str(VALUES[key].get(str(value), value))
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}" if key != "seed" else str(value)
    return str(value)


def _section(title: str, data: dict[str, Any]) -> CardSection:
    rows = [
        (str(LABELS.get(k, k)), _value(k, v))
        for k, v in data.items()
        if k not in SKIP and not isinstance(v, dict | list)
    ]
    return CardSection(title, rows)


def headline_metrics(card: dict[str, Any]) -> list[tuple[str, str]]:
    """The few figures shown at the top of the page."""
    metrics = card.get("metrics", {})
    keys = ("oot_auc", "auc", "ks", "gini", "brier", "observed_bad_rate")
    return [(str(LABELS[k]), _value(k, metrics[k])) for k in keys if isinstance(metrics.get(k), int | float)]


def card_sections(card: dict[str, Any]) -> list[CardSection]:
    """The card's scalar items, grouped, each with its label."""
    training = dict(card.get("training", {}))
    source = training.pop("source", {}) or {}
    sections = [
        _section(_("基本信息"), {k: card[k] for k in ("version", "format", "synthetic") if k in card}
                 | (card.get("created_with") or {})),
        _section(_("训练数据"), {**source, **training}),
        _section(_("效果指标"), card.get("metrics", {})),
        _section(_("评分刻度"), card.get("scorecard", {})),
        _section(_("概率校准"), card.get("calibration", {})),
        _section(_("训练参数"), card.get("params", {})),
    ]  # fmt: skip
    return [s for s in sections if s.rows]


def card_tables(card: dict[str, Any]) -> list[CardTable]:
    """The card's lists: grades and their cut-offs, calibration by decile, the features."""
    metrics = card.get("metrics", {})
    tables = []
    cutoffs = (card.get("grades") or {}).get("cutoffs") or []
    grade_rows = metrics.get("grades") or metrics.get("grade_table") or []
    if grade_rows:
        rows = []
        for i, g in enumerate(grade_rows):
            floor = _("≥ %(s)s 分") % {"s": cutoffs[i]} if i < len(cutoffs) else _("低于 %(s)s 分") % {
                "s": cutoffs[-1] if cutoffs else "—"}  # fmt: skip
            rows.append([str(g.get("grade", "")), floor, _value("n", g.get("n")), _value("share", g.get("share")),
                         _value("bad_rate", g.get("bad_rate"))])  # fmt: skip
        tables.append(CardTable(_("等级"), [_("等级"), _("分数"), _("样本数"), _("占比"), _("违约率")], rows))
    calibration = metrics.get("calibration_table") or []
    if calibration:
        rows = [[str(c.get("bin", "")), _value("n", c.get("n")), _value("mean_pd", c.get("mean_pd")),
                 _value("bad_rate", c.get("bad_rate"))] for c in calibration]  # fmt: skip
        tables.append(CardTable(_("校准（按预测违约概率分十组）"), [_("组"), _("样本数"), _("平均预测违约概率"),
                                                                  _("实际违约率")], rows))  # fmt: skip
    words = {1: _("提高风险"), -1: _("降低风险"), 0: _("不限定")}
    features = card.get("features") or []
    if features:
        rows = []
        for f in features:
            spec = FEATURES.get(f.get("name", ""))
            english = (get_language() or "").startswith("en")
            meaning = (spec.meaning_en if english else spec.meaning_zh) if spec else f.get("name", "")
            kind = _("类别") if f.get("type") == "categorical" else _("数值")
            rows.append([meaning, kind, str(words.get(int(f.get("direction") or 0), ""))])
        tables.append(CardTable(_("特征（%(n)d 个）") % {"n": len(features)}, [_("含义"), _("类型"),
                                                                              _("数值越大")], rows))  # fmt: skip
    return tables


# -- champion / challenger (issue 15) -------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def psi_text(value: float | None) -> str:
    """The usual reading of a population stability index."""
    if value is None:
        return _("无数据")
    if value < 0.1:
        return _("分布基本稳定（PSI < 0.1）")
    if value < 0.25:
        return _("分布有一定变化（0.1 ≤ PSI < 0.25）")
    return _("分布变化显著（PSI ≥ 0.25），启用前请核对评分与准入影响")


def comparison_view(comparison: dict[str, Any]) -> dict[str, Any] | None:
    """A stored challenger comparison (``risk_models.challenger.compare``) as rows for the page."""
    if not comparison or "champion" not in comparison:
        return None
    champ, chall = comparison["champion"], comparison["challenger"]
    metrics = [
        ("AUC", _num(champ["auc"]), _num(chall["auc"])),
        ("KS", _num(champ["ks"]), _num(chall["ks"])),
        (_("平均违约概率"), _pct(champ["mean_pd"]), _pct(chall["mean_pd"])),
        (_("实际违约率"), _pct(champ["bad_rate"]), _pct(chall["bad_rate"])),
    ]
    top = max(
        [r["bad_rate"] or 0 for m in (champ, chall) for r in m["grades"]]
        + [r["mean_pd"] or 0 for m in (champ, chall) for r in m["grades"]]
        + [1e-9]
    )
    # Each grade's observed default rate (by each model's grades) against each model's mean PD.
    legend = [
        (_("启用模型：实际违约率"), "#007d7e"), (_("启用模型：平均违约概率"), "#7fc4c4"),
        (_("挑战者：实际违约率"), "#b35900"), (_("挑战者：平均违约概率"), "#e0a030"),
    ]  # fmt: skip
    grades = []
    for a, b in zip(champ["grades"], chall["grades"], strict=True):
        grades.append(
            {
                "grade": a["grade"],
                "rows": [
                    (_("启用模型"), a["count"], _pct(a["mean_pd"]), _pct(a["bad_rate"])),
                    (_("挑战者"), b["count"], _pct(b["mean_pd"]), _pct(b["bad_rate"])),
                ],
                "bars": [
                    (legend[0][0], legend[0][1], 100 * (a["bad_rate"] or 0) / top, _pct(a["bad_rate"])),
                    (legend[1][0], legend[1][1], 100 * (a["mean_pd"] or 0) / top, _pct(a["mean_pd"])),
                    (legend[2][0], legend[2][1], 100 * (b["bad_rate"] or 0) / top, _pct(b["bad_rate"])),
                    (legend[3][0], legend[3][1], 100 * (b["mean_pd"] or 0) / top, _pct(b["mean_pd"])),
                ],
            }
        )  # fmt: skip
    cutoffs = [
        {
            "label": _("%(g)s 级及以上（%(n)d 个产品）") % {"g": row["grade"], "n": row["products"]},
            "champion": _pct(row["champion"]), "challenger": _pct(row["challenger"]),
            "change": "—" if row["change"] is None else f"{row['change'] * 100:+.1f}",
        }
        for row in comparison.get("cutoffs", [])
    ]  # fmt: skip
    window = comparison.get("window") or ["", ""]
    return {
        "champion_version": champ["version"], "challenger_version": chall["version"],
        "window_from": window[0], "window_to": window[1], "rows": comparison["rows"], "bads": comparison["bads"],
        "metrics": metrics, "grades": grades, "legend": legend, "psi": _num(comparison.get("psi")),
        "psi_text": psi_text(comparison.get("psi")), "cutoffs": cutoffs,
        "better": bool(chall["auc"] is not None and champ["auc"] is not None and chall["auc"] > champ["auc"]),
    }  # fmt: skip
