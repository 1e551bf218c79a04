"""The ratings' rules (property/ratings/rules.py): scheme, scores, lists, deadlines, periods."""

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from property.ratings import rules
from property.ratings.rules import DEFAULT_SCHEME, CreditRecord, Listing, Scheme

FAST = settings(max_examples=150, deadline=None)

# ---------------------------------------------------------------------------------------------
# the scheme


def test_default_scheme_is_domain_section_5():
    s = DEFAULT_SCHEME
    assert s.weights == {"satisfaction": F(2, 5), "inspection": F(2, 5), "complaints": F(1, 5)}
    assert s.complaint_penalty == 5
    assert (s.good_credit_max, s.good_credit_cap, s.bad_credit_max) == (5, 10, 20)
    assert (s.black_below, s.warning_below, s.red_min, s.warning_fall) == (60, 70, 90, 10)
    assert all(isinstance(getattr(s, n), F) for n in ("red_min", "complaint_penalty"))


def test_scheme_round_trips_through_json():
    data = DEFAULT_SCHEME.to_dict()
    assert data["weight_satisfaction"] == "2/5"
    assert data["red_min"] == "90/1"
    assert data["good_credit_cap"] == 10
    assert Scheme.from_dict(json.loads(json.dumps(data))) == DEFAULT_SCHEME

    custom = Scheme(
        name="浦东新区 2026",
        weight_satisfaction=F(1, 3),
        weight_inspection=F(1, 3),
        weight_complaints=F(1, 3),
        red_min=Decimal("92.5"),
        warning_fall=F(15, 2),
        good_credit_cap=8,
    )
    assert custom.red_min == F(185, 2)
    again = Scheme.from_dict(json.loads(json.dumps(custom.to_dict(), ensure_ascii=False)))
    assert again == custom


def test_scheme_from_partial_and_hand_written_dicts():
    s = Scheme.from_dict(
        {"red_min": "85", "weight_satisfaction": "0.5", "weight_inspection": "3/10"}
    )
    assert s.red_min == 85
    assert s.weights == {"satisfaction": F(1, 2), "inspection": F(3, 10), "complaints": F(1, 5)}
    assert s.black_below == 60  # missing keys take the default
    assert Scheme.from_dict({"black_below": 55}).black_below == 55  # JSON integers are fine


@pytest.mark.parametrize(
    "data",
    [
        {"weight_satisfaction": "1/2"},  # weights no longer sum to 1
        {"weight_satisfaction": "-1/5", "weight_inspection": "4/5"},
        {"weight_satisfaction": 0.4},  # a JSON float
        {"red_min": "abc"},
        {"red_min": "1/0"},
        {"red_min": True},
        {"red_min": [90]},
        {"red_min": "65"},  # below warning_below
        {"black_below": "75"},  # above warning_below
        {"red_min": "101"},
        {"black_below": "-1"},
        {"warning_fall": "0"},
        {"complaint_penalty": "-5"},
        {"good_credit_max": 0},
        {"good_credit_cap": -1},
        {"bad_credit_max": "20"},
        {"good_credit_cap": 10.0},
        {"colour": "red"},  # unknown key
        {"name": ""},
        {"name": 5},
        ["red_min", "90"],
    ],
)
def test_scheme_validation(data):
    with pytest.raises(ValueError):
        Scheme.from_dict(data)


def test_scheme_constructor_refuses_floats_and_bad_order():
    with pytest.raises(TypeError):
        Scheme(red_min=90.0)
    with pytest.raises(ValueError):
        Scheme(black_below=F(70), warning_below=F(60))
    # equal thresholds are allowed: a district without a warning band
    assert Scheme(warning_below=F(60)).warning_below == 60


@st.composite
def schemes(draw):
    a = draw(st.integers(0, 100))
    b = draw(st.integers(0, 100 - a))
    thresholds = sorted(draw(st.lists(st.integers(0, 400), min_size=3, max_size=3)))
    return Scheme(
        name=draw(st.text(min_size=1, max_size=10).filter(str.strip)),
        weight_satisfaction=F(a, 100),
        weight_inspection=F(b, 100),
        weight_complaints=F(100 - a - b, 100),
        complaint_penalty=draw(st.fractions(min_value=0, max_value=20, max_denominator=7)),
        good_credit_max=draw(st.integers(1, 10)),
        good_credit_cap=draw(st.integers(0, 30)),
        bad_credit_max=draw(st.integers(1, 50)),
        black_below=F(thresholds[0], 4),
        warning_below=F(thresholds[1], 4),
        red_min=F(thresholds[2], 4),
        warning_fall=draw(st.fractions(min_value=F(1, 9), max_value=50, max_denominator=9)),
    )


@FAST
@given(scheme=schemes())
def test_any_valid_scheme_round_trips(scheme):
    assert Scheme.from_dict(json.loads(json.dumps(scheme.to_dict()))) == scheme


# ---------------------------------------------------------------------------------------------
# satisfaction and complaints


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        ([{"clean": 5, "safety": 5}], F(100)),
        ([{"clean": 1, "safety": 1}], F(0)),
        ([{"clean": 3}], F(50)),
        ([{"clean": 4, "safety": 2}], F(50)),
        ([{"clean": 4}, {"clean": 5}], F(175, 2)),
        # one respondent, one voice: (75 + 0) / 2, not (100 + 50 + 0) / 3
        ([{"clean": 5, "safety": 3}, {"clean": 1}], F(75, 2)),
        ([{}, {"clean": 2}], F(25)),  # an empty response is skipped
        ([], None),
        ([{}], None),
    ],
)
def test_satisfaction_score(responses, expected):
    assert rules.satisfaction_score(responses) == expected


@pytest.mark.parametrize("answer", [0, 6, True, "5", 4.0, None])
def test_satisfaction_refuses_bad_answers(answer):
    with pytest.raises(ValueError):
        rules.satisfaction_score([{"clean": answer}])


@pytest.mark.parametrize(
    ("complaints", "households", "expected"),
    [
        (0, 100, F(100)),
        (1, 100, F(95)),
        (2, 200, F(95)),
        (1, 300, F(295, 3)),  # 100 − 5/3
        (20, 100, F(0)),
        (21, 100, F(0)),  # never below 0
        (1, 3, F(0)),
        (0, 0, None),  # no households: no evidence
        (4, 0, None),
    ],
)
def test_complaint_score(complaints, households, expected):
    assert rules.complaint_score(complaints, households) == expected


def test_complaint_score_uses_the_schemes_penalty_and_refuses_negatives():
    assert rules.complaint_score(1, 100, Scheme(complaint_penalty=F(2))) == 98
    with pytest.raises(ValueError):
        rules.complaint_score(-1, 100)
    with pytest.raises(ValueError):
        rules.complaint_score(1, -100)


# ---------------------------------------------------------------------------------------------
# compound score


def test_compound_score_with_every_item():
    result = rules.compound_score(F(345, 4), 90, F(95))
    assert result.score == F(179, 2)  # 0.4 × 86.25 + 0.4 × 90 + 0.2 × 95 = 89.5
    assert not result.reweighted
    assert result.missing == ()
    assert [(i.item, i.value, i.weight, i.contribution) for i in result.items] == [
        ("satisfaction", F(345, 4), F(2, 5), F(69, 2)),
        ("inspection", F(90), F(2, 5), F(36)),
        ("complaints", F(95), F(1, 5), F(19)),
    ]
    assert result.explanation_zh == (
        "综合得分 89.50 = 业主满意度 86.25 × 40% + 检查考核 90.00 × 40% + 投诉 95.00 × 20%。"
    )


def test_compound_score_reweights_over_present_items():
    result = rules.compound_score(F(345, 4), 90, None)
    assert result.score == F(705, 8)  # (86.25 + 90) / 2 = 88.125
    assert result.reweighted
    assert result.missing == ("complaints",)
    assert [i.applied_weight for i in result.items] == [F(1, 2), F(1, 2), 0]
    assert "缺少投诉" in result.explanation_zh
    assert "88.12" in result.explanation_zh  # rounded down, never up

    only = rules.compound_score(None, None, F(80))
    assert only.score == 80
    assert only.missing == ("satisfaction", "inspection")


def test_compound_score_without_evidence_is_none():
    assert rules.compound_score(None, None, None).score is None
    no_weight = Scheme(weight_satisfaction=F(1, 2), weight_inspection=F(1, 2), weight_complaints=0)
    assert rules.compound_score(None, None, F(80), no_weight).score is None


@pytest.mark.parametrize(
    ("args", "error"),
    [((F(101), 90, 90), ValueError), ((90, -1, 90), ValueError), ((90, 90.0, 90), TypeError)],
)
def test_compound_score_refuses(args, error):
    with pytest.raises(error):
        rules.compound_score(*args)


@FAST
@given(
    values=st.lists(
        st.none() | st.fractions(min_value=0, max_value=100, max_denominator=400),
        min_size=3,
        max_size=3,
    )
)
def test_compound_score_stays_within_its_items(values):
    result = rules.compound_score(*values)
    present = [v for v in values if v is not None]
    if not present:
        assert result.score is None
    else:
        assert min(present) <= result.score <= max(present)
        assert sum(i.applied_weight for i in result.items) == 1


# ---------------------------------------------------------------------------------------------
# company score


def test_company_score_is_household_weighted():
    result = rules.company_score([(F(95), 100), (F(85), 300), (None, 500), (F(10), 0)])
    assert result.base == F(175, 2)  # (95·100 + 85·300) / 400, not the plain mean 90
    assert result.households == 400
    assert result.score == F(175, 2)
    assert not result.has_bad_record and not result.has_veto


def test_company_score_credit_caps():
    records = [CreditRecord(5), CreditRecord(4), CreditRecord(3), CreditRecord(-2, memo="整改超期")]
    result = rules.company_score([(F(80), 100)], records)
    assert result.good_points_uncapped == 12
    assert result.good_points == 10  # at most +10 in all
    assert result.bad_points == -2
    assert result.score == 88
    assert result.has_bad_record
    assert "封顶 +10" in result.explanation_zh


def test_bad_records_have_no_floor_and_the_score_is_clamped():
    result = rules.company_score([(F(70), 50)], [CreditRecord(-20)] * 4)
    assert result.bad_points == -80
    assert result.unclamped == -10
    assert result.score == 0
    top = rules.company_score([(F(98), 50)], [CreditRecord(5), CreditRecord(5)])
    assert top.unclamped == 108
    assert top.score == 100


@pytest.mark.parametrize("record", [CreditRecord(6), CreditRecord(-21)])
def test_credit_records_out_of_range(record):
    with pytest.raises(ValueError):
        rules.company_score([(F(80), 10)], [record])


def test_credit_record_validation():
    with pytest.raises(ValueError):
        CreditRecord(0)
    with pytest.raises(ValueError):
        CreditRecord(3, veto=True)
    with pytest.raises(TypeError):
        CreditRecord(2.0)
    assert CreditRecord(-20, veto=True).is_bad


def test_company_without_scored_compounds():
    result = rules.company_score([(None, 100)], [CreditRecord(-5, veto=True)])
    assert result.score is None and result.base is None
    assert result.has_veto
    assert rules.classify(None, True, True).listing is Listing.BLACK
    assert rules.classify(None, False, False).listing is None


def test_company_score_respects_the_scheme():
    scheme = Scheme(good_credit_max=3, good_credit_cap=4)
    assert rules.company_score([(F(80), 1)], [CreditRecord(3), CreditRecord(3)], scheme).score == 84
    with pytest.raises(ValueError):
        rules.company_score([(F(80), 1)], [CreditRecord(4)], scheme)


@FAST
@given(
    compounds=st.lists(
        st.tuples(
            st.fractions(min_value=0, max_value=100, max_denominator=50), st.integers(1, 5000)
        ),
        min_size=1,
        max_size=6,
    ),
    goods=st.lists(st.integers(1, 5), max_size=5),
    bads=st.lists(st.integers(-20, -1), max_size=3),
)
def test_company_score_properties(compounds, goods, bads):
    records = [CreditRecord(p) for p in goods + bads]
    result = rules.company_score(compounds, records)
    scores = [s for s, _ in compounds]
    assert min(scores) <= result.base <= max(scores)
    assert result.good_points == min(10, sum(goods))
    assert result.unclamped == result.base + result.good_points + sum(bads)
    assert 0 <= result.score <= 100
    assert result.has_bad_record == bool(bads)


# ---------------------------------------------------------------------------------------------
# lists


@pytest.mark.parametrize(
    ("score", "bad", "veto", "previous", "listing"),
    [
        (F(90), False, False, None, Listing.RED),  # 90 is red
        (F(8999, 100), False, False, None, None),
        (F(100), False, False, None, Listing.RED),
        (F(90), True, False, None, None),  # a bad record keeps a company off the red list
        (F(95), False, True, None, Listing.BLACK),  # veto: black wins over red
        (F(60), False, False, None, Listing.WARNING),  # 60 is not black, it is a warning
        (F(5999, 100), False, False, None, Listing.BLACK),
        (F(0), False, False, None, Listing.BLACK),
        (F(6999, 100), False, False, None, Listing.WARNING),
        (F(70), False, False, None, None),  # 70 is not a warning
        (F(85), False, False, F(95), Listing.WARNING),  # a fall of exactly 10 warns
        (F(85), False, False, F(9499, 100), None),  # 9.99 does not
        (F(90), False, False, F(100), Listing.WARNING),  # good score, but fell 10: warned
        (F(90), False, False, F(9999, 100), Listing.RED),
        (F(75), False, False, F(60), None),  # a rise is fine
        (F(50), False, False, F(95), Listing.BLACK),  # black wins over the fall warning
        (F(65), True, True, None, Listing.BLACK),
    ],
)
def test_classify_boundaries(score, bad, veto, previous, listing):
    assert rules.classify(score, bad, veto, previous).listing is listing


def test_classify_keeps_every_reason():
    result = rules.classify(F(90), False, False, F(100))
    assert result.met == {Listing.RED, Listing.WARNING}
    assert [r.code for r in result.reasons] == ["fall", "red", "precedence"]
    assert "预警优先" in result.reasons[-1].text_zh

    vetoed = rules.classify(F(50), False, True, None)
    assert [r.code for r in vetoed.reasons] == ["veto", "below_black"]
    blocked = rules.classify(F(95), True, False, None)
    assert blocked.listing is None
    assert [r.code for r in blocked.reasons] == ["red_blocked_bad_record"]
    assert Listing.RED.zh == "红榜" and Listing.BLACK.zh == "黑榜" and Listing.WARNING.zh == "预警"
    assert Listing.RED == "red"  # serialises as the API's string


def test_classify_follows_a_district_scheme():
    strict = Scheme(red_min=F(95), black_below=F(65), warning_below=F(75), warning_fall=F(5))
    assert rules.classify(F(94), False, False, None, strict).listing is None
    assert rules.classify(F(64), False, False, None, strict).listing is Listing.BLACK
    assert rules.classify(F(80), False, False, F(85), strict).listing is Listing.WARNING


@FAST
@given(
    score=st.fractions(min_value=0, max_value=100, max_denominator=100),
    bad=st.booleans(),
    veto=st.booleans(),
    previous=st.none() | st.fractions(min_value=0, max_value=100, max_denominator=100),
)
def test_classify_matches_the_criteria(score, bad, veto, previous):
    listing = rules.classify(score, bad, veto, previous).listing
    black = veto or score < 60
    warning = 60 <= score < 70 or (previous is not None and previous - score >= 10)
    red = score >= 90 and not bad
    expected = (
        Listing.BLACK if black else Listing.WARNING if warning else Listing.RED if red else None
    )
    assert listing is expected


# ---------------------------------------------------------------------------------------------
# working-day deadlines

MON = dt.date(2026, 3, 2)
FRI, SAT, SUN = MON + dt.timedelta(4), MON + dt.timedelta(5), MON + dt.timedelta(6)


def test_calendar_of_the_fixtures():
    assert [d.weekday() for d in (MON, FRI, SAT, SUN)] == [0, 4, 5, 6]


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (MON, 5, MON + dt.timedelta(7)),
        (MON, 4, FRI),
        (FRI, 1, MON + dt.timedelta(7)),  # Friday + 1 → Monday
        (FRI, 5, FRI + dt.timedelta(7)),  # across the weekend
        (SAT, 5, FRI + dt.timedelta(7)),  # received at the weekend: counting starts Monday
        (SUN, 5, FRI + dt.timedelta(7)),
        (MON + dt.timedelta(2), 5, MON + dt.timedelta(9)),  # Wednesday → next Wednesday
        (MON, 10, MON + dt.timedelta(14)),
        (SAT, 0, SAT),
    ],
)
def test_add_working_days(start, n, expected):
    assert rules.add_working_days(start, n) == expected


def test_holidays_and_make_up_working_days():
    # a made-up holiday week (Mon–Fri off) with the Sunday before worked (调休)
    week_off = frozenset(MON + dt.timedelta(7 + i) for i in range(5))
    make_up = frozenset({MON + dt.timedelta(13)})  # Sunday after the holiday week
    # received Friday: Sat, Sun, holiday week, Sat skipped; make-up Sunday counts as day 1
    assert rules.add_working_days(FRI, 1, week_off, make_up) == MON + dt.timedelta(13)
    assert rules.add_working_days(FRI, 5, week_off, make_up) == MON + dt.timedelta(17)
    assert rules.objection_deadline(FRI, week_off, make_up) == MON + dt.timedelta(17)
    assert rules.objection_deadline(FRI) == FRI + dt.timedelta(7)
    assert rules.is_working_day(MON + dt.timedelta(13), week_off, make_up)
    assert not rules.is_working_day(MON + dt.timedelta(7), week_off, make_up)


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError):
        rules.add_working_days(MON, -1)


def test_is_overdue():
    deadline = rules.objection_deadline(FRI)
    assert not rules.is_overdue(deadline, today=deadline)  # the last day is in time
    assert rules.is_overdue(deadline, today=deadline + dt.timedelta(1))
    # answered in time: not overdue, however late today is
    assert not rules.is_overdue(deadline, today=deadline + dt.timedelta(30), answered_on=deadline)
    assert rules.is_overdue(deadline, today=deadline, answered_on=deadline + dt.timedelta(1))


@FAST
@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    n=st.integers(1, 40),
    holidays=st.frozensets(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 6, 30)), max_size=20
    ),
)
def test_working_days_are_counted_exactly(start, n, holidays):
    end = rules.add_working_days(start, n, holidays)
    assert rules.is_working_day(end, holidays)
    days = [start + dt.timedelta(i) for i in range(1, (end - start).days + 1)]
    assert sum(rules.is_working_day(d, holidays) for d in days) == n
    assert (end - start).days >= n


# ---------------------------------------------------------------------------------------------
# periods


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q1", (2026, 1, dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        ("2026Q2", (2026, 2, dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        ("2026Q3", (2026, 3, dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        ("2026Q4", (2026, 4, dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
        ("2028q1", (2028, 1, dt.date(2028, 1, 1), dt.date(2028, 3, 31))),
        (" 2026Q3 ", (2026, 3, dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
    ],
)
def test_period_parse(text, expected):
    period = rules.period_parse(text)
    assert period == expected
    year, quarter, start, end = period  # unpacks like the tuple the API describes
    assert period.code == f"{year}Q{quarter}"
    assert (start, end) == (period.start, period.end)


@pytest.mark.parametrize(
    "text",
    [
        "2026Q5",
        "2026Q0",
        "26Q1",
        "2026-Q1",
        "2026Q",
        "Q32026",
        "2026Q3x",
        "",
        "1899Q4",
        "２０２６Q1",
    ],
)
def test_period_parse_refuses(text):
    with pytest.raises(ValueError, match="2026Q3"):
        rules.period_parse(text)


def test_period_parse_refuses_non_strings():
    with pytest.raises(ValueError):
        rules.period_parse(20263)


def test_previous_period():
    assert rules.previous_period("2026Q1").code == "2025Q4"
    assert rules.previous_period("2026Q3").code == "2026Q2"
    assert rules.previous_period(rules.period_parse("2026Q4")).code == "2026Q3"
    with pytest.raises(ValueError):
        rules.previous_period("1900Q1")


@FAST
@given(day=st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_periods_tile_the_calendar(day):
    period = rules.period_of(day)
    assert period.start <= day <= period.end
    assert rules.period_parse(period.code) == period
    assert rules.previous_period(period).end + dt.timedelta(1) == period.start


# ---------------------------------------------------------------------------------------------
# display


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (F(89999, 1000), "89.99"),  # never "90.00" while not red
        (F(8999999, 100000), "89.99"),
        (F(90), "90.00"),
        (F(100), "100.00"),
        (F(1, 3), "0.33"),
        (F(2, 3), "0.66"),
        (0, "0.00"),
        (Decimal("59.999"), "59.99"),
        (F(-1, 1000), "-0.01"),
        (None, "—"),
    ],
)
def test_score_str_rounds_down(value, text):
    assert rules.score_str(value) == text


def test_score_str_refuses_floats():
    with pytest.raises(TypeError):
        rules.score_str(89.99)


@FAST
@given(value=st.fractions(min_value=0, max_value=100, max_denominator=10**6))
def test_score_str_never_overstates(value):
    shown = Decimal(rules.score_str(value))
    assert F(shown) <= value < F(shown) + F(1, 100)
    if rules.score_str(value) == "90.00":
        assert value >= 90
