"""Readable text rendering of a model card."""

from __future__ import annotations

from typing import Any

from risk_models.grades import INTENDED_SHARES, check_grades


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _header(card: dict[str, Any]) -> list[str]:
    t = card.get("training", {})
    src = t.get("source", {})
    lines = [
        f"Model {card['version']}" + ("  [SYNTHETIC sandbox data]" if card.get("synthetic") else ""),
        f"  source        {src}",
        f"  data hash     {t.get('data_hash', '-')}",
        f"  target        {t.get('target')} (positive={t.get('positive') or 1})",
        f"  rows          {t.get('n_rows')}  bad rate {_num(t.get('bad_rate'))}",
        f"  validation    {t.get('validation')}  (time column: {t.get('time_col') or '-'})",
    ]
    return lines


def _metrics(m: dict[str, Any]) -> list[str]:
    lines = ["", "Metrics"]
    for key in (
        "auc",
        "auc_std",
        "gini",
        "ks",
        "brier",
        "mean_pd",
        "observed_bad_rate",
        "n_oot",
        "oot_from",
        "in_time_validation_auc",
        "oof_auc",
        "best_iteration",
    ):
        if key in m:
            lines.append(f"  {key:<24}{_num(m[key])}")
    return lines + _grade_lines(m) + _calibration_lines(m)


def _grade_lines(m: dict[str, Any]) -> list[str]:
    table = m.get("grades", [])
    lines = [
        "",
        "Per grade (holdout: out-of-time or out-of-fold sample)",
        "  grade      n   share  intended  bad rate",
    ]
    for g, intended in zip(table, INTENDED_SHARES, strict=False):
        shown = g.get("intended_share", intended)
        lines.append(f"  {g['grade']:<5}{g['n']:>7}  {_num(g['share'], 3):>6}  {shown:>8.3f}  {_num(g['bad_rate'])}")
    check = m.get("grade_check") or check_grades(table)  # old cards: checked here
    if not table:
        return lines
    if check["empty"]:
        lines.append(f"  monotone A..E: not assessable, empty grade(s) {', '.join(check['empty'])}")
    else:
        lines.append(f"  monotone A..E: {'yes' if check['monotone'] else 'NO'}")
    lines += [f"  WARNING: {message}" for message in check["messages"]]
    return lines


def _calibration_lines(m: dict[str, Any]) -> list[str]:
    lines = ["", "Calibration by PD decile (holdout)", "  bin      n  mean PD  bad rate  predicted/observed"]
    for row in m.get("calibration_table", []):
        ratio = row["mean_pd"] / row["bad_rate"] if row["bad_rate"] else float("inf")
        lines.append(f"  {row['bin']:>3}{row['n']:>7}  {row['mean_pd']:.4f}   {row['bad_rate']:.4f}  {ratio:>10.2f}")
    return lines


def _selection(card: dict[str, Any]) -> list[str]:
    section = card.get("selection")
    if not section:
        return []
    lines = ["", f"Model selection ({section.get('method', '')})", f"  winner        {section['winner']}"]
    lines.append(f"  why           {section['reason']}")
    lines.append("  candidate              kind       CV AUC   folds  status")
    for c in section["candidates"]:
        lines.append(f"  {c['name']:<22} {c['kind']:<9} {_num(c['cv_auc'])}  {c['folds_evaluated']:>5}  {c['status']}")
    return lines


def _scoring(card: dict[str, Any]) -> list[str]:
    sc, grades, cal = card["scorecard"], card["grades"], card["calibration"]
    cal_text = (
        f"platt a={cal['a']:.6f} b={cal['b']:.6f}"
        if cal["method"] == "platt"
        else f"{cal['method']} ({len(cal.get('x', []))} knots)"
    )
    chosen = card.get("calibration_selection", {})
    basis = "unclamped score" if grades.get("basis") == "unclamped_score" else "displayed score"
    return [
        "",
        "Scoring",
        f"  model         {card.get('model_type', 'lightgbm')}",
        f"  calibration   {cal_text}",
        f"  chosen by     {chosen.get('reason') or chosen.get('chosen_by', '-')}",
        f"  score         {sc['base_score']:.0f} at odds {sc['base_odds']:.0f}:1, "
        f"PDO {sc['pdo']:.0f}, clamped {sc['min_score']:.0f}..{sc['max_score']:.0f}",
        f"  grade cut-offs A>={grades['cutoffs'][0]} B>={grades['cutoffs'][1]} "
        f"C>={grades['cutoffs'][2]} D>={grades['cutoffs'][3]} else E (on the {basis})",
    ]


def _features(card: dict[str, Any]) -> list[str]:
    feats = card["features"]
    lines = ["", f"Features ({len(feats)})"]
    for f in feats:
        direction = {1: "+1 raises risk", -1: "-1 lowers risk"}.get(f.get("direction"), "0")
        extra = f"  levels={len(f['levels'])}" if f["type"] == "categorical" else ""
        lines.append(f"  {f['name']:<32}{f['type']:<12}{direction}{extra}")
    if card.get("dropped_columns"):
        lines.append("  dropped: " + ", ".join(f"{k} ({v})" for k, v in card["dropped_columns"].items()))
    return lines


def format_card(card: dict[str, Any]) -> str:
    """Render a model card as plain text.

    Parameters
    ----------
    card : dict

    Returns
    -------
    str
    """
    lines = _header(card) + _metrics(card.get("metrics", {})) + _selection(card) + _scoring(card)
    return "\n".join(lines + _features(card) + _guards(card))


def _guards(card: dict[str, Any]) -> list[str]:
    """Protected and excluded columns, forced warnings, monotonicity violations."""
    training = card.get("training", {})
    lines = ["", "Guards"]
    lines.append(f"  protected (never features or reasons): {', '.join(training.get('protected') or []) or '-'}")
    lines.append(f"  excluded: {', '.join(training.get('excluded') or []) or '-'}")
    forced = card.get("guards", {}).get("forced", [])
    lines.append(f"  forced past warnings: {len(forced)}" if forced else "  forced past warnings: none")
    lines += [f"    [{w['code']}] {w['message']}" for w in forced]
    mono = card.get("monotone")
    if not mono:
        return lines
    found = mono.get("violations", {})
    wrong = {k: v for k, v in found.items() if v["rows_violating"]}
    lines += ["", f"Monotonicity (PD along each feature with a direction; auto: {mono.get('auto')})"]
    lines.append(f"  features checked {len(found)}, with violations {len(wrong)}")
    lines.append("  feature                          direction  source                  rows wrong")
    for name, v in sorted(found.items(), key=lambda kv: -kv[1]["share"]):
        sign = "+1" if v["direction"] > 0 else "-1"
        lines.append(
            f"  {name:<32} {sign:>9}  {v.get('source', '-'):<22} "
            f"{v['rows_violating']:>5}/{v['rows_checked']:<5} {v['share']:.0%}"
        )
    return lines
