"""The ratings' rules: scheme, scores, red/black lists, deadlines, periods — DOMAIN.md §5.

Pure functions and frozen records: no Flask, no database, no I/O, standard library only.
Scores are ``fractions.Fraction`` on a 0–100 scale and every threshold is compared exactly;
floats are refused wherever a number enters. Scores are shown with :func:`score_str`, which
rounds *down* so that a notice never shows "90.00" for a company that is not red.

Never ``import property`` bare (it would shadow the builtin):
``from property.ratings import rules``. The credit code's rules are the register's
(``property.companies.rules``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

__all__ = [
    "DEFAULT_SCHEME",
    "OBJECTION_ANSWER_WORKING_DAYS",
    "Classification",
    "CompanyScore",
    "CompoundScore",
    "CreditRecord",
    "Listing",
    "Period",
    "Reason",
    "Scheme",
    "ScoreItem",
    "SurveyGroup",
    "add_working_days",
    "attribute_compound",
    "classify",
    "company_score",
    "complaint_score",
    "compound_score",
    "contract_days",
    "inspection_score",
    "is_overdue",
    "is_working_day",
    "objection_deadline",
    "percent_str",
    "period_of",
    "period_parse",
    "previous_period",
    "satisfaction_from_groups",
    "satisfaction_score",
    "score_str",
]

# ---------------------------------------------------------------------------------------------
# the rating scheme (评价方案) — a district setting


def _exact(value: object, name: str) -> Fraction:
    """int, Decimal or Fraction → Fraction; floats (and bools) refused."""
    if type(value) is Fraction:  # the common case, and hot when a district is scored
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise TypeError(
            f"{name} must be int, Decimal or Fraction (never float), got {type(value).__name__}"
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be finite, got {value}")
    return Fraction(value)


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


_FRACTION_FIELDS = (
    "weight_satisfaction",
    "weight_inspection",
    "weight_complaints",
    "complaint_penalty",
    "red_min",
    "black_below",
    "warning_below",
    "warning_fall",
)
_INT_FIELDS = ("good_credit_max", "good_credit_cap", "bad_credit_max")


@dataclass(frozen=True)
class Scheme:
    """How a district rates property companies; the defaults are DOMAIN §5's default scheme.

    - compound score = weight_satisfaction × satisfaction + weight_inspection × inspection
      + weight_complaints × complaint score (weights sum to 1);
    - complaint score = max(0, 100 − complaint_penalty × valid complaints per 100 households);
    - credit points: each good record +1…+good_credit_max, at most +good_credit_cap in all;
      each bad record −1…−bad_credit_max, no floor on the total;
    - red: score ≥ red_min and no bad record in the period;
    - black: score < black_below, or any veto record;
    - warning: black_below ≤ score < warning_below, or a fall ≥ warning_fall since the last
      period.

    Validated on construction (``ValueError``): weights non-negative and summing to exactly 1;
    0 ≤ black_below ≤ warning_below ≤ red_min ≤ 100; positive fall, penalty ≥ 0, credit
    limits ≥ 1 (cap ≥ 0). Numbers may be given as int, Decimal or Fraction and are stored as
    Fractions.
    """

    name: str = "default"
    weight_satisfaction: Fraction = Fraction(2, 5)
    weight_inspection: Fraction = Fraction(2, 5)
    weight_complaints: Fraction = Fraction(1, 5)
    #: points lost per valid complaint per 100 households
    complaint_penalty: Fraction = Fraction(5)
    good_credit_max: int = 5
    good_credit_cap: int = 10
    bad_credit_max: int = 20
    red_min: Fraction = Fraction(90)
    black_below: Fraction = Fraction(60)
    warning_below: Fraction = Fraction(70)
    warning_fall: Fraction = Fraction(10)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a scheme needs a name")
        for name in _FRACTION_FIELDS:
            # frozen: normalise through object.__setattr__ so ints/Decimals become Fractions
            object.__setattr__(self, name, _exact(getattr(self, name), name))
        for name in _INT_FIELDS:
            _int(getattr(self, name), name)

        weights = (self.weight_satisfaction, self.weight_inspection, self.weight_complaints)
        if any(w < 0 for w in weights):
            raise ValueError("weights must not be negative")
        if sum(weights) != 1:
            raise ValueError(f"weights must sum to 1, they sum to {sum(weights)}")
        if not 0 <= self.black_below <= self.warning_below <= self.red_min <= 100:
            raise ValueError(
                "thresholds must be ordered 0 ≤ black_below ≤ warning_below ≤ red_min ≤ 100"
            )
        if self.warning_fall <= 0:
            raise ValueError("warning_fall must be positive")
        if self.complaint_penalty < 0:
            raise ValueError("complaint_penalty must not be negative")
        if self.good_credit_max < 1 or self.bad_credit_max < 1:
            raise ValueError("credit point limits per record must be at least 1")
        if self.good_credit_cap < 0:
            raise ValueError("good_credit_cap must not be negative")

    @property
    def weights(self) -> dict[str, Fraction]:
        """Item → weight, in the order the items are shown."""
        return {
            "satisfaction": self.weight_satisfaction,
            "inspection": self.weight_inspection,
            "complaints": self.weight_complaints,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field; Fractions as ``"a/b"`` strings (``"2/5"``, ``"90/1"``).

        Every field is written, so a stored scheme (frozen with a published period) never
        depends on today's defaults.
        """
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Fraction):
                value = f"{value.numerator}/{value.denominator}"
            data[f.name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        """Rebuild a scheme from :meth:`to_dict` output or a district's edited JSON.

        Fractions may be ``"a/b"``, ``"a"``, decimal strings (``"0.4"``) or JSON integers;
        JSON floats (``0.4``) are refused — write ``"2/5"`` or ``"0.4"``. Missing keys take the
        default; unknown keys are refused. Every problem is a ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise ValueError("a scheme must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown scheme keys: {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in _FRACTION_FIELDS:
                kwargs[key] = _parse_fraction(value, key)
            elif key in _INT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{key} must be an integer")
                kwargs[key] = value
            else:
                kwargs[key] = value
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise ValueError(str(exc)) from exc


def _parse_fraction(value: object, name: str) -> Fraction:
    if isinstance(value, bool | float):
        raise ValueError(f'{name}: write numbers as strings like "2/5" or "0.4", not {value!r}')
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(f"{name}: not a number: {value!r}") from exc
    raise ValueError(f'{name}: expected a string like "2/5", got {type(value).__name__}')


DEFAULT_SCHEME = Scheme()


# ---------------------------------------------------------------------------------------------
# scores of one compound (per rating period)

_ITEM_ZH = {"satisfaction": "业主满意度", "inspection": "检查考核", "complaints": "投诉"}


def satisfaction_score(responses: Iterable[Mapping[str, int]]) -> Fraction | None:
    """Owner satisfaction 0–100 from survey responses (each item answered 1–5).

    Each answer v maps to (v − 1)/4 × 100 (1 → 0, 3 → 50, 5 → 100). Decision: a response's
    score is the mean over the items it answered, and the compound's score is the mean over
    responses — one respondent, one voice, however many items each answered. A response with no
    items is skipped; no (non-empty) responses → ``None`` (no evidence). An answer that is not
    an int 1–5 is a ``ValueError``.
    """
    total = Fraction(0)
    count = 0
    for response in responses:
        if not response:
            continue
        points = Fraction(0)
        for item, answer in response.items():
            if isinstance(answer, bool) or not isinstance(answer, int) or not 1 <= answer <= 5:
                raise ValueError(f"answer to {item!r} must be an integer 1–5, got {answer!r}")
            points += Fraction(answer - 1, 4) * 100
        total += points / len(response)
        count += 1
    if count == 0:
        return None
    return total / count


class SurveyGroup(NamedTuple):
    """Survey responses of one compound that answered the same number of items, summed.

    ``answered`` items per response, ``count`` responses, ``total`` = the sum of all their
    answers (each 1–5). A database can produce these with one ``GROUP BY`` per period.
    """

    answered: int
    count: int
    total: int


def satisfaction_from_groups(
    groups: Iterable[SurveyGroup | tuple[int, int, int]],
) -> Fraction | None:
    """The same score as :func:`satisfaction_score`, from per-``answered`` sums.

    A response answering n items with answers summing to S scores (S − n)/(4n) × 100; the
    responses of a group share n, so their scores add up to (ΣS − n·count)/(4n) × 100, and the
    compound's score is the sum over groups divided by the number of responses. Exact: equal
    to :func:`satisfaction_score` on the responses themselves. Groups with ``answered == 0``
    are skipped (as empty responses are); impossible sums are a ``ValueError``.
    """
    points = Fraction(0)
    responses = 0
    for group in groups:
        answered, count, total = (_int(v, "survey group") for v in group)
        if answered < 0 or count < 0:
            raise ValueError("a survey group has a non-negative size")
        if answered == 0 or count == 0:
            continue
        if not answered * count <= total <= 5 * answered * count:
            raise ValueError(f"answers of {count} × {answered} items cannot sum to {total}")
        points += Fraction(total - answered * count, 4 * answered) * 100
        responses += count
    if responses == 0:
        return None
    return points / responses


def inspection_score(deductions: Iterable[Fraction | int | Decimal]) -> Fraction:
    """District inspection score = max(0, 100 − Σ itemised deductions) (检查考核得分).

    Each deduction is a non-negative exact number (int, Decimal or Fraction; never float).
    """
    total = Fraction(0)
    for value in deductions:
        points = _exact(value, "deduction")
        if points < 0:
            raise ValueError("a deduction must not be negative")
        total += points
    return max(Fraction(0), 100 - total)


def complaint_score(
    valid_complaints: int, households: int, scheme: Scheme = DEFAULT_SCHEME
) -> Fraction | None:
    """Complaint score = max(0, 100 − penalty × valid complaints per 100 households).

    With the default penalty of 5: 2 valid complaints in a 200-household compound → 95.
    Decision: ``households == 0`` → ``None`` (a compound with no households gives no evidence,
    and :func:`compound_score` re-weights over the other items) rather than a free 100.
    """
    complaints = _int(valid_complaints, "valid_complaints")
    homes = _int(households, "households")
    if complaints < 0 or homes < 0:
        raise ValueError("complaints and households must not be negative")
    if homes == 0:
        return None
    per_hundred = Fraction(complaints * 100, homes)
    return max(Fraction(0), 100 - scheme.complaint_penalty * per_hundred)


@dataclass(frozen=True)
class ScoreItem:
    """One line of an itemised compound score.

    ``weight`` is the scheme's weight; ``applied_weight`` the one actually used after
    re-weighting over the items present (0 for a missing item); ``contribution`` =
    value × applied_weight.
    """

    item: str
    value: Fraction | None
    weight: Fraction
    applied_weight: Fraction
    contribution: Fraction

    @property
    def label_zh(self) -> str:
        return _ITEM_ZH[self.item]


@dataclass(frozen=True)
class CompoundScore:
    """A compound's score for a period, with how it was reached."""

    score: Fraction | None
    items: tuple[ScoreItem, ...]
    reweighted: bool
    explanation_zh: str

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(i.item for i in self.items if i.value is None)


def _score_value(value: object, name: str) -> Fraction | None:
    if value is None:
        return None
    result = _exact(value, name)
    if not 0 <= result <= 100:
        raise ValueError(f"{name} must be between 0 and 100, got {result}")
    return result


def compound_score(
    satisfaction: Fraction | None,
    inspection: Fraction | int | Decimal | None,
    complaints: Fraction | None,
    scheme: Scheme = DEFAULT_SCHEME,
) -> CompoundScore:
    """Compound score = Σ weight × item over satisfaction, inspection and complaints (0–100).

    Decision on missing evidence (an item ``None``: no survey returned, no inspection this
    period, no household count): the score is the weighted mean of the items *present*, each
    weight divided by the sum of present weights, and the explanation says so — a missing item
    is neither a free 100 nor a punishing 0. With no item present (or only zero-weight items)
    the score is ``None``. Values outside 0–100 are a ``ValueError``.
    """
    values = {
        "satisfaction": _score_value(satisfaction, "satisfaction"),
        "inspection": _score_value(inspection, "inspection"),
        "complaints": _score_value(complaints, "complaints"),
    }
    weights = scheme.weights
    present_weight = sum((weights[k] for k, v in values.items() if v is not None), Fraction(0))
    reweighted = present_weight != 1

    items: list[ScoreItem] = []
    for key, value in values.items():
        if value is None or present_weight == 0:
            items.append(ScoreItem(key, value, weights[key], Fraction(0), Fraction(0)))
        else:
            applied = weights[key] / present_weight
            items.append(ScoreItem(key, value, weights[key], applied, value * applied))

    if present_weight == 0:
        text = "本期无可用评分依据（满意度、检查考核、投诉均缺），不计综合得分。"
        return CompoundScore(None, tuple(items), reweighted, text)

    score = sum((i.contribution for i in items), Fraction(0))
    terms = " + ".join(
        f"{i.label_zh} {score_str(i.value)} × {_percent_str(i.applied_weight)}"
        for i in items
        if i.value is not None and i.applied_weight
    )
    text = f"综合得分 {score_str(score)} = {terms}"
    missing = [i.label_zh for i in items if i.value is None]
    if missing:
        text += f"；缺少{'、'.join(missing)}，按其余项目的权重重新归一"
    return CompoundScore(score, tuple(items), reweighted, text + "。")


# ---------------------------------------------------------------------------------------------
# a company's score and its list


@dataclass(frozen=True)
class CreditRecord:
    """A credit record of the period (信用记录): signed points, positive good, negative bad.

    ``veto`` marks a one-vote-veto record (major safety accident, misuse of the maintenance
    fund, abandoning a compound): it puts the company on the black list whatever its score.
    A veto is always a bad record, so its points must be negative.
    """

    points: int
    veto: bool = False
    memo: str = ""

    def __post_init__(self) -> None:
        _int(self.points, "points")
        if self.points == 0:
            raise ValueError("a credit record carries non-zero points")
        if self.veto and self.points > 0:
            raise ValueError("a veto record is a bad record: its points must be negative")

    @property
    def is_bad(self) -> bool:
        return self.points < 0


@dataclass(frozen=True)
class CompanyScore:
    """A company's score for a period, itemised.

    ``base`` is the household-weighted mean of its compound scores; ``good_points`` the good
    credit after the cap; ``bad_points`` the (negative) sum of bad records; ``unclamped`` =
    base + good + bad; ``score`` the published score, ``unclamped`` clamped to 0–100.
    ``score`` is ``None`` when no compound had a score.
    """

    base: Fraction | None
    households: int
    good_points: int
    good_points_uncapped: int
    bad_points: int
    unclamped: Fraction | None
    score: Fraction | None
    has_bad_record: bool
    has_veto: bool
    explanation_zh: str


def company_score(
    compounds: Sequence[tuple[Fraction | None, int]],
    credit_records: Sequence[CreditRecord] = (),
    scheme: Scheme = DEFAULT_SCHEME,
) -> CompanyScore:
    """Company score = household-weighted mean of compound scores + credit points.

    ``compounds`` = ``[(compound score or None, households), ...]``: a compound without a score
    or without households carries no weight. Credit: each good record must be
    +1…+good_credit_max and the good total is capped at +good_credit_cap; each bad record
    −1…−bad_credit_max, summed without a floor (``ValueError`` outside those ranges).

    Decision: the result is clamped to 0–100 — the published scale — after adding credit, so
    98 + 10 shows as 100 and a deeply negative total as 0; both extremes list the same either
    way (red needs ≥ 90, black < 60). ``unclamped`` keeps the raw sum for the record.
    """
    weighted = Fraction(0)
    households = 0
    for score, homes in compounds:
        homes = _int(homes, "households")
        if homes < 0:
            raise ValueError("households must not be negative")
        value = _score_value(score, "compound score")
        if value is None or homes == 0:
            continue
        weighted += value * homes
        households += homes
    base = weighted / households if households else None

    good_raw = 0
    bad = 0
    for record in credit_records:
        if record.points > 0:
            if record.points > scheme.good_credit_max:
                raise ValueError(
                    f"a good record is worth +1…+{scheme.good_credit_max}, got +{record.points}"
                )
            good_raw += record.points
        else:
            if -record.points > scheme.bad_credit_max:
                raise ValueError(
                    f"a bad record is worth −1…−{scheme.bad_credit_max}, got {record.points}"
                )
            bad += record.points
    good = min(good_raw, scheme.good_credit_cap)
    has_bad = any(r.is_bad for r in credit_records)
    has_veto = any(r.veto for r in credit_records)

    if base is None:
        return CompanyScore(
            base=None,
            households=0,
            good_points=good,
            good_points_uncapped=good_raw,
            bad_points=bad,
            unclamped=None,
            score=None,
            has_bad_record=has_bad,
            has_veto=has_veto,
            explanation_zh="本期所服务小区均无评分，不计企业得分。",
        )
    unclamped = base + good + bad
    final = min(Fraction(100), max(Fraction(0), unclamped))
    text = f"小区得分按户数加权平均 {score_str(base)}（{households} 户）"
    if good_raw:
        text += f"，良好信用 +{good}"
        if good != good_raw:
            text += f"（合计 +{good_raw}，封顶 +{scheme.good_credit_cap}）"
    if bad:
        text += f"，不良信用 {bad}"
    text += f"，企业得分 {score_str(final)}"
    if final != unclamped:
        text += f"（{score_str(unclamped)} 按 0–100 截取）"
    return CompanyScore(
        base=base,
        households=households,
        good_points=good,
        good_points_uncapped=good_raw,
        bad_points=bad,
        unclamped=unclamped,
        score=final,
        has_bad_record=has_bad,
        has_veto=has_veto,
        explanation_zh=text + "。",
    )


class Listing(enum.StrEnum):
    """The district's lists (红黑榜) and the warning (预警)."""

    RED = "red"
    BLACK = "black"
    WARNING = "warning"

    @property
    def zh(self) -> str:
        return {"red": "红榜", "black": "黑榜", "warning": "预警"}[self.value]


@dataclass(frozen=True)
class Reason:
    """Why a criterion was (or was not) applied; ``code`` is stable, ``text_zh`` for people."""

    code: str
    text_zh: str


@dataclass(frozen=True)
class Classification:
    """The list a company goes on for the period, and every reason considered.

    ``listing`` is the one list published (``None``: no list); ``met`` holds every list whose
    criteria were met, before precedence was applied.
    """

    listing: Listing | None
    met: frozenset[Listing]
    reasons: tuple[Reason, ...] = field(default=())


def classify(
    score: Fraction | None,
    has_bad_record: bool,
    has_veto: bool,
    previous_score: Fraction | None = None,
    scheme: Scheme = DEFAULT_SCHEME,
) -> Classification:
    """Which list a company goes on: red, black, warning or none.

    Criteria (exact comparisons, defaults in brackets):
    - black: score < black_below [60], or any veto record;
    - warning: black_below ≤ score < warning_below [60 ≤ s < 70], or a fall of at least
      warning_fall [10] since ``previous_score`` (a fall of exactly 10 warns);
    - red: score ≥ red_min [90] and no bad record in the period.

    Precedence, one list per company: black > warning > red. Black wins over everything. A
    company meeting the red score that also fell by 10 or more is warned, not honoured —
    decision: the red list commends steady good service. ``score`` ``None`` (nothing to rate)
    can only be black, by a veto.
    """
    met: set[Listing] = set()
    reasons: list[Reason] = []
    if has_veto:
        met.add(Listing.BLACK)
        reasons.append(Reason("veto", "本期有一票否决记录，列入黑榜"))
    if score is not None:
        score = _exact(score, "score")
        shown = score_str(score)
        if score < scheme.black_below:
            met.add(Listing.BLACK)
            reasons.append(
                Reason("below_black", f"得分 {shown} 低于 {score_str(scheme.black_below)}")
            )
        elif score < scheme.warning_below:
            met.add(Listing.WARNING)
            reasons.append(
                Reason(
                    "warning_band",
                    f"得分 {shown} 在 {score_str(scheme.black_below)}"
                    f" 至 {score_str(scheme.warning_below)} 之间",
                )
            )
        if previous_score is not None:
            fall = _exact(previous_score, "previous_score") - score
            if fall >= scheme.warning_fall:
                met.add(Listing.WARNING)
                reasons.append(
                    Reason(
                        "fall",
                        f"得分较上期下降 {shown_fall(previous_score, score)} 分"
                        f"（≥ {score_str(scheme.warning_fall)}）",
                    )
                )
        if score >= scheme.red_min:
            if has_bad_record:
                reasons.append(
                    Reason("red_blocked_bad_record", f"得分 {shown} 达到红榜分数，但本期有不良记录")
                )
            else:
                met.add(Listing.RED)
                reasons.append(
                    Reason("red", f"得分 {shown} 不低于 {score_str(scheme.red_min)} 且无不良记录")
                )

    listing = next((x for x in (Listing.BLACK, Listing.WARNING, Listing.RED) if x in met), None)
    if listing is not None and len(met) > 1:
        others = "、".join(
            x.zh for x in (Listing.WARNING, Listing.RED) if x in met and x != listing
        )
        reasons.append(Reason("precedence", f"同时符合{others}条件，按{listing.zh}优先"))
    return Classification(listing, frozenset(met), tuple(reasons))


# ---------------------------------------------------------------------------------------------
# working-day deadlines (异议答复期限)

#: An objection to a credit record is answered within 5 working days.
OBJECTION_ANSWER_WORKING_DAYS = 5


def is_working_day(
    day: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
    workdays: frozenset[dt.date] = frozenset(),
) -> bool:
    """Monday–Friday, except ``holidays``; ``workdays`` are weekend days worked (调休上班)."""
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(
    start: dt.date,
    n: int,
    holidays: frozenset[dt.date] = frozenset(),
    workdays: frozenset[dt.date] = frozenset(),
) -> dt.date:
    """The date ``n`` working days after ``start`` (``start`` itself does not count).

    Saturdays, Sundays and ``holidays`` are skipped; ``workdays`` lists weekend dates that are
    official working days (China's make-up days, 调休). Received on Friday, 5 working days →
    the next Friday; received on Saturday → also that Friday. ``n == 0`` → ``start``.
    """
    remaining = _int(n, "n")
    if remaining < 0:
        raise ValueError("n must not be negative")
    day = start
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            remaining -= 1
    return day


def objection_deadline(
    received: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
    workdays: frozenset[dt.date] = frozenset(),
) -> dt.date:
    """Last day to answer an objection received on ``received``: 5 working days later."""
    return add_working_days(received, OBJECTION_ANSWER_WORKING_DAYS, holidays, workdays)


def is_overdue(deadline: dt.date, today: dt.date, answered_on: dt.date | None = None) -> bool:
    """True if the answer came (or, unanswered, ``today`` is) after ``deadline``.

    The deadline day itself is in time.
    """
    return (answered_on if answered_on is not None else today) > deadline


# ---------------------------------------------------------------------------------------------
# rating periods ("2026Q3")

_PERIOD_RE = re.compile(r"([0-9]{4})Q([1-4])")  # ASCII digits only: not ２０２６
_MIN_YEAR = 1900


class Period(NamedTuple):
    """A quarterly rating period (评价周期)."""

    year: int
    quarter: int
    start: dt.date
    end: dt.date

    @property
    def code(self) -> str:
        """``"2026Q3"`` — the form used in URLs and storage."""
        return f"{self.year}Q{self.quarter}"


def _period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return Period(
        year,
        quarter,
        dt.date(year, first_month, 1),
        dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def period_parse(text: str) -> Period:
    """Parse ``"2026Q3"`` → ``Period(2026, 3, 2026-07-01, 2026-09-30)``.

    Surrounding whitespace is ignored and ``q`` may be lower case; anything else (another
    form, quarter outside 1–4, a year before 1900) is a ``ValueError`` naming the text.
    """
    if not isinstance(text, str):
        raise ValueError(f"a period is a string like 2026Q3, got {type(text).__name__}")
    match = _PERIOD_RE.fullmatch(text.strip().upper())
    if match is None:
        raise ValueError(f"not a rating period (expected like 2026Q3): {text!r}")
    year, quarter = int(match[1]), int(match[2])
    if year < _MIN_YEAR:
        raise ValueError(
            f"rating period year must be {_MIN_YEAR} or later (expected like 2026Q3): {text!r}"
        )
    return _period(year, quarter)


def previous_period(period: str | Period) -> Period:
    """The period before: ``2026Q1`` → ``2025Q4``."""
    current = period_parse(period) if isinstance(period, str) else period
    if current.quarter == 1:
        if current.year <= _MIN_YEAR:
            raise ValueError(f"no rating period before {current.code}")
        return _period(current.year - 1, 4)
    return _period(current.year, current.quarter - 1)


def period_of(day: dt.date) -> Period:
    """The period containing ``day``."""
    return _period(day.year, (day.month - 1) // 3 + 1)


def contract_days(starts_on: dt.date, ends_on: dt.date | None, period: Period) -> int:
    """Days of ``period`` covered by a service contract (``ends_on`` None: open-ended)."""
    first = max(starts_on, period.start)
    last = period.end if ends_on is None else min(ends_on, period.end)
    return max(0, (last - first).days + 1)


def attribute_compound(
    contracts: Iterable[tuple[Any, dt.date, dt.date | None]], period: Period
) -> Any | None:
    """Which company a compound's evidence of ``period`` is rated against.

    ``contracts`` = ``[(key, starts_on, ends_on or None), ...]`` of one compound. Decision:
    when a compound changes company within a quarter, the period belongs to the company whose
    contract covered the most days of it; on a tie, the later contract (the one now serving).
    No contract covering any day → ``None`` (the compound is not rated that period).
    """
    best: tuple[int, dt.date] | None = None
    chosen = None
    for key, starts_on, ends_on in contracts:
        days = contract_days(starts_on, ends_on, period)
        if days <= 0:
            continue
        rank = (days, starts_on)
        if best is None or rank > best:
            best, chosen = rank, key
    return chosen


# ---------------------------------------------------------------------------------------------
# display


def shown_fall(previous: Fraction | int | Decimal, score: Fraction | int | Decimal) -> str:
    """How far the score fell, as the reader checks it: the difference of the two *shown*
    (rounded-down) scores, not the exact fall rounded down.

    Why: the page and the report print both scores; a reader who subtracts them must get
    the number printed beside them. 89.995 → 70.326 shows 89.99 and 70.32, which differ by
    19.67, while the exact fall 19.669 rounded down would print 19.66 (issue 14). Whether a
    company is warned is still decided on the exact scores (`classify`); a fall of at least
    10 always shows as at least 10.00 here, since each shown score is less than 0.01 below
    its exact value.
    """
    def hundredths(v) -> int:
        exact = _exact(v, "score")
        return (exact.numerator * 100) // exact.denominator

    return score_str(Fraction(hundredths(previous) - hundredths(score), 100))


def score_str(value: Fraction | int | Decimal | None, places: int = 2) -> str:
    """A score with ``places`` decimals, rounded *down* (toward −∞) — never overstated.

    89.999 → ``"89.99"``, so a company that is not red never shows ``"90.00"``; ``None`` → "—".
    """
    if value is None:
        return "—"
    scale = 10**places
    exact = _exact(value, "score")
    scaled = (exact.numerator * scale) // exact.denominator  # floor, in integers
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), scale)
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


def percent_str(ratio: Fraction) -> str:
    """A weight as a percentage rounded down, without needless zeros: 2/5 → "40%"."""
    return _percent_str(_exact(ratio, "ratio"))


@functools.lru_cache(maxsize=256)
def _percent_str(ratio: Fraction) -> str:
    # weights as percentages, rounded down like every other ratio we show
    whole, _, part = score_str(ratio * 100).partition(".")
    part = part.rstrip("0")
    return f"{whole}.{part}%" if part else f"{whole}%"
