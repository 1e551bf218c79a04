"""The printable report of a district's period (红黑榜通报): its plain data, decided here,
and the PDF that reports.rating_report builds from it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from compounds.models import District
from core.attachments.services import files_for_list
from core.errors import DomainError
from core.inputs import SHANGHAI, local_today
from core.permissions import Target, may
from core.types import utcnow
from property.ratings import rules
from property.ratings.labels import KIND_ZH, VETO_ZH
from property.ratings.periods import parse_period, period_label
from property.ratings.publication import draft_scheme, published, trend
from property.ratings.scoring import Outcome, compute, frac
from property.ratings.settings import settings_for
from reports import rating_report as rr
from reports.attachments import attached


def report(district: District, code: str, version: int | None = None) -> bytes:
    """The printable report (PDF bytes) of a published version; the draft for district staff
    (marked as such). ``not_published`` (404) otherwise."""
    return rr.RatingReport(report_data(district, code, version)).render()


def report_data(district: District, code: str, version: int | None = None, *,
                allow_draft: bool = False):
    """The report's plain data (reports.rating_report.RatingReportData). ``allow_draft``: the
    CLI's say-so that the draft may be printed without a signed-in user."""
    period = parse_period(code)
    result = published(district, period.code, version)
    is_draft = False
    if result is None:
        if not allow_draft and not may("rating.evidence", Target(district_id=district.id)):
            raise DomainError("not_published",
                              _l("Period %(p)s has not been published.", p=period.code),
                              status=404)
        result = compute(district, period.code, draft_scheme(district, period.code))
        is_draft = True
    settings = settings_for(district)
    codes = [period.code]
    p = period
    for _ in range(3):
        p = rules.previous_period(p)
        codes.insert(0, p.code)
    history = trend(district.id, [o.company_id for o in result.outcomes], codes[:-1])
    compound_names: dict[int, str] = {}
    for o in result.outcomes:
        for c in o.detail.get("compounds", []):
            compound_names[c["id"]] = c["name"]

    # every credit record's evidence files in force, in one query
    record_files = files_for_list("credit-records", [
        c["id"] for o in result.outcomes for c in o.detail.get("credit", []) if "id" in c])

    def shown(value: str | None) -> str:
        return rules.score_str(frac(value))

    def list_row(rank: int, o: Outcome) -> rr.ListRow:
        reasons = tuple(r["text"] for r in o.detail.get("reasons", [])
                        if r["code"] not in ("red", "red_blocked_bad_record")
                        or o.listing == "red")
        return rr.ListRow(rank, o.name, o.uscc, o.score_shown, o.compounds, o.households,
                          reasons)

    pages = []
    labels = tuple(codes)
    for o in result.outcomes:
        d = o.detail
        scores = [history.get(o.company_id, {}).get(c) for c in codes[:-1]] + [o.score]
        pages.append(rr.CompanyPage(
            name=o.name, uscc=o.uscc, score=o.score_shown,
            listing=rr.LISTING_ZH.get(o.listing or "", ""),
            base=shown(d.get("base")), households=o.households,
            good_points=d.get("good_points", 0), bad_points=d.get("bad_points", 0),
            explanation=d.get("explanation", ""),
            reasons=tuple(r["text"] for r in d.get("reasons", [])),
            compounds=tuple(rr.CompoundRow(
                c["name"], c["households"], shown(c["satisfaction"]), c["responses"],
                shown(c["inspection"]), c["complaints"], shown(c["complaint_score"]),
                shown(c["score"]), "按其余项目重新归一" if c["reweighted"] else "")
                for c in d.get("compounds", [])),
            credits=tuple(rr.CreditRow(
                c["occurred_on"], KIND_ZH[c["kind"]] + (
                    f"（{VETO_ZH[c['veto_reason']]}）" if c.get("veto_reason") else ""),
                f"{c['points']:+d}", compound_names.get(c.get("compound_id"), ""),
                c["evidence"], attached(record_files.get(c.get("id"), ())))
                for c in d.get("credit", [])),
            trend_labels=labels,
            trend=tuple(None if s is None else Decimal(rules.score_str(s)) for s in scores)))
    scheme = result.scheme
    row = result.period_row
    return rr.RatingReportData(
        district=district.name, issuer=settings.issuer, period_code=period.code,
        period_label=period_label(period.code), version=result.version, draft=is_draft,
        published_at=row.published_at if row else None,
        issued_on=(row.published_at.astimezone(SHANGHAI).date() if row else local_today()),
        reason=row.reason if row else "",
        scheme_lines=(
            ("小区得分", f"满意度 {rules.percent_str(scheme.weight_satisfaction)} + 检查考核 "
                     f"{rules.percent_str(scheme.weight_inspection)} + 投诉 "
                     f"{rules.percent_str(scheme.weight_complaints)}"),
            ("投诉得分", f"100 − {rules.score_str(scheme.complaint_penalty)} × 每百户有效投诉数"),
            ("企业得分", "小区得分按户数加权平均 + 信用分"),
            ("信用分", f"良好记录每条 +1～+{scheme.good_credit_max}，合计至多 "
                    f"+{scheme.good_credit_cap}；不良记录每条 −1～−{scheme.bad_credit_max}"),
            ("红榜", f"得分 ≥ {rules.score_str(scheme.red_min)} 且本期无不良记录"),
            ("黑榜", f"得分 < {rules.score_str(scheme.black_below)} 或有一票否决记录"),
            ("预警", f"{rules.score_str(scheme.black_below)} ≤ 得分 < "
                   f"{rules.score_str(scheme.warning_below)}，或较上期下降 ≥ "
                   f"{rules.score_str(scheme.warning_fall)} 分"),
        ),
        companies_rated=len(result.outcomes), compounds_rated=result.compounds_rated,
        households=result.households, responses=result.responses,
        inspections=result.inspections,
        average=rules.score_str(_mean([o.score for o in result.outcomes])),
        red=tuple(list_row(n, o) for n, o in enumerate(result.listed("red"), 1)),
        black=tuple(list_row(n, o) for n, o in enumerate(result.listed("black"), 1)),
        warning=tuple(list_row(n, o) for n, o in enumerate(result.listed("warning"), 1)),
        companies=tuple(pages), generated_at=utcnow())


def _mean(values) -> Fraction | None:
    present = [v for v in values if v is not None]
    return sum(present, Fraction(0)) / len(present) if present else None
