"""One woman registered under two ID numbers: three trainings under the first, a fourth claimed under the second.

Used by the merge tests and the browser test alike, built through the services and the test builders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from qiancheng.funding.models import SubsidyClaim
from qiancheng.people.models import Person
from qiancheng.risk import services
from qiancheng.risk.models import LinkCandidate
from qiancheng.risk.tests import records
from qiancheng.training.tests import builders

# Three earlier trainings in three years and three occupations, so that only 3.5b (three in all) can fire.
EARLIER = (("4-10-01-01", "保育师", 2021), ("4-10-01-02", "育婴员", 2022), ("4-10-01-03", "养老护理员", 2023))
LATER = ("4-04-05-05", "人工智能训练师", 2025)


@dataclass(frozen=True)
class Duplicate:
    first: Person  # the ID number the three earlier trainings are held under
    second: Person  # the mistyped ID number of the fourth claim
    fourth: SubsidyClaim
    candidate: LinkCandidate


def _class_of(code: str, name: str, year: int) -> object:
    return builders.training_class(occupation=builders.occupation(code, name), level=4,
                                   start_date=date(year, 5, 1), end_date=date(year, 5, 31))


def one_person_two_numbers(number: int = 1, *, by_linkage: bool = False) -> Duplicate:
    """The pair, as a pending candidate of Nanning: found by the linkage model itself (`by_linkage`, as the
    synthetic province's planted duplicates are: one sequence digit mistyped, the same name and phone) or
    written as the linkage writes it. The claims are pending, so they count (RULES "What counts")."""
    records.county()
    birth = "19880315"
    first = builders.person(id_number=builders.id_number(birth=birth, sequence=124 + number * 2), name="黄丽娟",
                            phone="13712345678")
    second = builders.person(id_number=builders.id_number(birth=birth, sequence=142 + number * 2), name="黄丽娟",
                             phone="13712345678")
    for index, (code, name, year) in enumerate(EARLIER):
        enrolment = builders.enrolment(_class_of(code, name, year), first, enrolled_on=date(year, 5, 1))
        builders.subsidy_claim(enrolment, f"M{number}-{year}-{index}")
    enrolment = builders.enrolment(_class_of(*LATER), second, enrolled_on=date(LATER[2], 5, 1))
    fourth = builders.subsidy_claim(enrolment, f"M{number}-{LATER[2]}-4")
    a, b = sorted([first, second], key=lambda each: each.pk)
    if by_linkage:
        services.run_linkage(None)
        return Duplicate(first, second, fourth, LinkCandidate.objects.get(person_a=a, person_b=b))
    candidate = LinkCandidate.objects.create(
        person_a=a, person_b=b, city_id="450100", match_probability=Decimal("0.99"), match_weight=Decimal("12.5"),
        driver="id_tail", comparisons={}, model_version="test", found_at=fourth.created_at)
    return Duplicate(first, second, fourth, candidate)
