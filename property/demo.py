"""The property package's demo step (see compounds/demo.py): companies, contracts, the
company manager's account, and the evidence of 2026Q2 (published) and 2026Q3 (draft).

Invented throughout: the company names are made up and their credit codes are built with a
correct GB 32100 check character but belong to nobody. Designed so that the lists show
every case: 2026Q2 (published) has a red-listed and a warned company; the 2026Q3 draft
adds a fall of more than 10 points (warning) and a bad record that black-lists a company.
Bulk inserts only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import insert, select

from compounds.demo import DemoContext, DemoLogin, DemoStep
from compounds.models import Holding
from core.extensions import db
from core.idnumber import check_char
from core.models import Role
from property.companies.models import Company, ServiceContract, StaffMember
from property.companies.rules import uscc_check_char
from property.ratings import rules
from property.ratings.labels import SURVEY_ITEMS
from property.ratings.models import ComplaintCount, CreditRecord, Inspection, SurveyResponse
from property.ratings.publication import store_version
from property.ratings.settings import DEFAULT_CHECKLIST

#: (name, credit-code body (17 characters), address, contact)
COMPANIES = (
    ("上海槐安物业管理有限公司", "91310107MA1H2K7C3", "普陀区槐荫路220号", "陆建华"),
    ("上海澄明物业服务有限公司", "91310107MA1FQ8N25", "普陀区澄波路1690号", "沈丽娟"),
    ("上海桐心物业管理有限公司", "91310107MA1G5TR41", "普陀区桐华路58号", "顾志强"),
    ("上海长风里物业有限公司", "91310107MA1E9WB66", "普陀区长风路300号", "钱国平"),
)
#: compound index (walk-up, high-rise, small) → contracts (company index, start, end)
CONTRACTS = (
    ((3, dt.date(2016, 1, 1), dt.date(2025, 12, 31)), (0, dt.date(2026, 1, 1), None)),
    ((1, dt.date(2018, 7, 1), None),),
    ((2, dt.date(2021, 3, 1), None),),
)
FEES = (160, 285, 210)  # fen per m² per month

#: per period and compound: (mean survey answer, share of units answering, inspection
#: deductions by checklist code, valid complaints)
EVIDENCE = {
    "2026Q2": (
        (4.6, 0.22, {"E": "2.5", "B": "1.5"}, 3),
        (4.1, 0.15, {"C": "4", "D": "3", "E": "2"}, 11),
        (3.5, 0.35, {"C": "8", "E": "7", "F": "4", "G": "5", "H": "3"}, 2),
    ),
    "2026Q3": (
        (4.7, 0.24, {"E": "2", "A": "1"}, 2),
        (3.4, 0.18, {"C": "9", "D": "6", "E": "4", "H": "2"}, 24),
        (3.2, 0.31, {"C": "12", "D": "4", "E": "9", "F": "5", "G": "6"}, 3),
    ),
}
#: (period, compound index, company index, kind, points, day, evidence, veto matter)
RECORDS = (
    ("2026Q2", 1, 1, "good", 3, dt.date(2026, 5, 20), "台风期间连夜排除地下车库积水，业主联名表扬",
     None),
    ("2026Q2", 2, 2, "bad", -3, dt.date(2026, 6, 9), "二号楼电梯困人，维保单位超时到场", None),
    ("2026Q3", 2, 2, "bad", -6, dt.date(2026, 8, 14),
     "消防通道长期堆放杂物，经两次书面督促未整改", None),
    ("2026Q3", 0, 0, "good", 2, dt.date(2026, 9, 2), "协助完成加装电梯意见征询，组织有序", None),
)
STAFF = (
    ("project_manager", "项目经理"), ("customer_service", ""), ("engineering", ""),
    ("security", ""), ("cleaning", ""),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
_GIVEN = "建国丽华志强秀英国平海燕晓东静芳明辉玉兰"


def _id_number(rng, region: str = "310107") -> str:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + check_char(first17)


def _answer(rng, mean: float) -> int:
    return min(5, max(1, round(rng.gauss(mean, 0.75))))


def property_step(ctx: DemoContext) -> None:
    """Companies, staff, contracts, the `wuye` account, evidence of 2026Q2 and 2026Q3, and the
    publication of 2026Q2 by the district."""
    rng = ctx.rng
    district = ctx.district
    companies = []
    for name, body, address, contact in COMPANIES:
        company = Company(district_id=district.id, name=name,
                          uscc=body + uscc_check_char(body), address=address,
                          contact_name=contact, contact_phone=f"021-6{rng.randrange(10**6):06d}")
        companies.append(company)
    db.session.add_all(companies)
    db.session.flush()
    managers = {}
    for company in companies:
        seen = set()
        for role, _title in STAFF:
            number = _id_number(rng)
            while number in seen:
                number = _id_number(rng)
            seen.add(number)
            staff = StaffMember(
                company_id=company.id, id_number=number, role=role,
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
                phone=f"1390001{rng.randrange(10**4):04d}",
                certificate=f"沪物项{rng.randrange(2015, 2024)}-{rng.randrange(1, 9999):04d}"
                if role == "project_manager" else "",
                joined_on=dt.date(rng.randrange(2012, 2024), rng.randrange(1, 13), 1))
            db.session.add(staff)
            if role == "project_manager":
                managers[company.id] = staff
    db.session.flush()
    for compound, contracts, fee in zip(ctx.compounds, CONTRACTS, FEES, strict=True):
        for index, start, end in contracts:
            company = companies[index]
            db.session.add(ServiceContract(company_id=company.id, compound_id=compound.id,
                                           starts_on=start, ends_on=end,
                                           fee_fen=fee + 15 * index,
                                           project_manager_id=managers[company.id].id))
    db.session.flush()

    # the owner accounts' units stay unanswered so that the demo owners can try the survey
    account_persons = {ctx.person_ids[i] for i in ctx.plan.account_persons.values()}
    skip = set(db.session.scalars(
        select(Holding.unit_id).where(Holding.person_id.in_(account_persons))))
    responses = 0
    for code, rows in EVIDENCE.items():
        period = rules.period_parse(code)
        for compound, unit_ids, (mean, share, deductions, complaints) in zip(
                ctx.compounds, ctx.unit_ids, rows, strict=True):
            answered = [u for u in unit_ids if u not in skip and rng.random() < share]
            batch = []
            for unit_id in answered:
                answers = {item: _answer(rng, mean) for item in SURVEY_ITEMS
                           if rng.random() > 0.04}
                if not answers:
                    answers = {"cleaning": _answer(rng, mean)}
                batch.append({"period": code, "compound_id": compound.id, "unit_id": unit_id,
                              **{i: answers.get(i) for i in SURVEY_ITEMS},
                              "answered": len(answers), "total": sum(answers.values()),
                              "channel": "paper" if rng.random() < 0.3 else "online",
                              "serial": "", "entered_by": "demo",
                              "created_at": dt.datetime.combine(
                                  period.start + dt.timedelta(days=rng.randrange(80)),
                                  dt.time(2, 0), tzinfo=dt.UTC)})
            if batch:
                db.session.execute(insert(SurveyResponse), batch)
            responses += len(batch)
            checklist = {i["code"]: i["label"] for i in DEFAULT_CHECKLIST}
            items = [{"code": c, "label": checklist[c], "points": f"{Decimal(p):.2f}", "note": ""}
                     for c, p in deductions.items()]
            total_c = sum(int(Decimal(p) * 100) for p in deductions.values())
            db.session.add(Inspection(period=code, compound_id=compound.id,
                                      inspected_on=period.start + dt.timedelta(days=55),
                                      inspector="区房管局检查组", deductions=items,
                                      deducted_c=total_c))
            db.session.add(ComplaintCount(period=code, compound_id=compound.id,
                                          valid=complaints, note="12345热线及居委会受理"))
    for code, compound_i, company_i, kind, points, day, evidence, veto in RECORDS:
        db.session.add(CreditRecord(company_id=companies[company_i].id, district_id=district.id,
                                    compound_id=ctx.compounds[compound_i].id, kind=kind,
                                    veto_reason=veto, points=points, occurred_on=day,
                                    period=code, evidence=evidence, recorded_by="district"))
    db.session.flush()

    row = store_version(district, "2026Q2", by="district")
    row.published_at = dt.datetime(2026, 7, 15, 2, 0, tzinfo=dt.UTC)
    ctx.add_account("wuye", "陆建华", role=Role.property_manager, scope_id=companies[0].id,
                    phone="13900010001")
    db.session.flush()
    ctx.summary["property"] = {
        "companies": [c.name for c in companies], "survey_responses": responses,
        "published": {"period": "2026Q2", "lists": {
            r.company_name: r.listing for r in row.results}}}


#: declared in plugin.py as the hook demo.steps
DEMO_STEP = DemoStep(10, property_step)

DEMO_LOGINS = [
    DemoLogin("wuye", "本公司评价、信用记录、异议与整改 /property/companies/ · 红黑榜 /ratings"),
]
