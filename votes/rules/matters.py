"""The nine matters of Civil Code art. 278 and the rule each is decided by: double 2/3
turnout; double 3/4 consent for items 6–8, double more-than-half for the others (art. 1259:
以上 includes the number itself, 过半数 does not)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from votes.rules.numbers import check_count


class Matter(StrEnum):
    """A matter of Civil Code art. 278; the value is the API's ``matter`` string."""

    rules = "rules"
    covenant = "covenant"
    committee = "committee"
    manager = "manager"
    use_fund = "use_fund"
    raise_fund = "raise_fund"
    rebuild = "rebuild"
    common_use = "common_use"
    other = "other"

    @property
    def item(self) -> int:
        """The item number in art. 278, 1..9."""
        return _MATTER_INFO[self][0]

    @property
    def label_zh(self) -> str:
        """Short Chinese label, as on notices (e.g. ``使用维修资金``)."""
        return _MATTER_INFO[self][1]

    @property
    def label_en(self) -> str:
        """Short English label."""
        return _MATTER_INFO[self][2]

    @classmethod
    def from_item(cls, item: int) -> Matter:
        """The matter of art. 278 item ``item`` (1..9); ``ValueError`` otherwise."""
        for matter in cls:
            if matter.item == item:
                return matter
        raise ValueError(f"art. 278 has items 1..9, not {item!r}")


_MATTER_INFO: dict[Matter, tuple[int, str, str]] = {
    Matter.rules: (1, "议事规则", "Rules of procedure"),
    Matter.covenant: (2, "管理规约", "Management covenant"),
    Matter.committee: (3, "选举/更换业委会", "Electing or replacing the owners' committee"),
    Matter.manager: (4, "选聘/解聘物业", "Hiring or dismissing the property company"),
    Matter.use_fund: (5, "使用维修资金", "Using the maintenance fund"),
    Matter.raise_fund: (6, "筹集维修资金", "Raising the maintenance fund"),
    Matter.rebuild: (7, "改建/重建", "Rebuilding or reconstructing buildings and facilities"),
    Matter.common_use: (
        8,
        "改变共有部分用途/经营",
        "Changing the use of common parts or running a business on them",
    ),
    Matter.other: (9, "其他重大事项", "Other major matters"),
}

#: Turnout bar for every matter: at least two thirds of area and of heads (以上: inclusive).
QUORUM = Fraction(2, 3)

# Items 6–8 need the "double three quarters" (双四分之三); art. 278 para. 2.
_THREE_QUARTER_ITEMS = frozenset({6, 7, 8})

FRACTION_ZH = {
    Fraction(2, 3): "三分之二",
    Fraction(3, 4): "四分之三",
    Fraction(1, 2): "半数",
}


@dataclass(frozen=True)
class Rule:
    """The thresholds a decision on ``matter`` must clear.

    Turnout: participating area ≥ ``quorum`` × roll area, and the same for heads.
    Consent: agreeing area against participating area, and the same for heads, must be
    ``> approval`` when ``approval_strict`` (过半数, more than half) or ``≥ approval``
    otherwise (四分之三以上, three quarters or more).
    """

    matter: Matter
    approval: Fraction
    approval_strict: bool
    quorum: Fraction = QUORUM

    @property
    def quorum_label(self) -> str:
        """``"2/3"`` — the API's ``rule.quorum``."""
        return f"{self.quorum.numerator}/{self.quorum.denominator}"

    @property
    def approval_label(self) -> str:
        """``"3/4"`` or ``"1/2"`` — the API's ``rule.approval`` (see ``approval_strict``)."""
        return f"{self.approval.numerator}/{self.approval.denominator}"

    @property
    def description_zh(self) -> str:
        """E.g. ``双三分之二参与，双四分之三同意`` / ``双三分之二参与，双过半数同意``."""
        quorum = FRACTION_ZH.get(self.quorum, self.quorum_label)
        if self.approval_strict and self.approval == Fraction(1, 2):
            consent = "过半数"
        elif self.approval_strict:
            consent = "超过" + FRACTION_ZH.get(self.approval, self.approval_label)
        else:
            consent = FRACTION_ZH.get(self.approval, self.approval_label)
        return f"双{quorum}参与，双{consent}同意"

    @property
    def description_en(self) -> str:
        """E.g. ``"at least 2/3 of area and heads take part; at least 3/4 … agree"``."""
        bar = "more than" if self.approval_strict else "at least"
        return (
            f"at least {self.quorum_label} of area and of heads take part; "
            f"{bar} {self.approval_label} of the participating area and heads agree"
        )

    def quorum_reached(self, participated: int, roll: int) -> bool:
        """Whether ``participated`` out of ``roll`` reaches the turnout bar (inclusive).

        Integers only (area in hundredths or heads). An empty roll never reaches it: a
        decision nobody could take part in is not a decision.
        """
        check_count(participated, "participated")
        check_count(roll, "roll")
        if roll == 0:
            return False
        return participated * self.quorum.denominator >= self.quorum.numerator * roll

    def consent_reached(self, agree: int, participated: int) -> bool:
        """Whether ``agree`` out of ``participated`` clears the consent bar.

        ``2·y > p`` for more than half, ``4·y ≥ 3·p`` for three quarters. Nobody taking part
        means nobody agreed: ``False``.
        """
        check_count(agree, "agree")
        check_count(participated, "participated")
        if participated == 0:
            return False
        lhs = agree * self.approval.denominator
        rhs = self.approval.numerator * participated
        return lhs > rhs if self.approval_strict else lhs >= rhs

    def as_api(self) -> dict[str, str]:
        """The API's ``rule`` object: ``{"matter", "quorum", "approval"}``."""
        return {
            "matter": self.matter.value,
            "quorum": self.quorum_label,
            "approval": self.approval_label,
        }


def rule_for(matter: Matter | str) -> Rule:
    """The rule of art. 278 for ``matter`` (a ``Matter`` or its API string).

    Items 6, 7, 8 → double 2/3 turnout and double ≥ 3/4 consent; every other item → double
    2/3 turnout and double > 1/2 consent. An unknown string raises ``ValueError``.
    """
    matter = Matter(matter)
    if matter.item in _THREE_QUARTER_ITEMS:
        return Rule(matter=matter, approval=Fraction(3, 4), approval_strict=False)
    return Rule(matter=matter, approval=Fraction(1, 2), approval_strict=True)


#: Shanghai elevator retrofit whose lift stands on the compound's common land: besides the
#: building's own ``rebuild`` vote, a compound-wide vote at double 2/3 turnout and double
#: *more-than-half* consent (沪建房管联〔2020〕801号) — milder than item 8's usual 3/4.
ELEVATOR_LAND_RULE = Rule(matter=Matter.common_use, approval=Fraction(1, 2), approval_strict=True)
