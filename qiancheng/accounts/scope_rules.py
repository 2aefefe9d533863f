"""Scope rules of the foundation's domain models, read top to bottom like a permissions table.

Models added later register from their own app's `AppConfig.ready()` (docs/security.md shows how).
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db.models import Q

from qiancheng.accounts.scope import register


def _person_in_city(city_code: str) -> Q:
    """A person belongs to a city by the county of their ID number, or by training there.

    Subqueries rather than joins: no row repeats, so no DISTINCT, and the planner reads them once.
    """
    counties = apps.get_model("catalog", "County").objects.filter(city_id=city_code).values("code")
    trained = apps.get_model("training", "Enrolment").objects.filter(training_class__city_id=city_code)
    return Q(county_code__in=counties) | Q(pk__in=trained.values("person_id"))


def _persons_of_city(field: str) -> Callable[[str], Q]:
    """For a model pointing at a person through `field`: that person is one of the city's."""

    def condition(city_code: str) -> Q:
        persons = apps.get_model("people", "Person").objects.filter(_person_in_city(city_code))
        return Q(**{f"{field}__in": persons.values("pk")})

    return condition


def _link_in_city(city_code: str) -> Q:
    """A confirmed same-person link (people.PersonLink) is either of its persons' city's."""
    return _persons_of_city("person_a")(city_code) | _persons_of_city("person_b")(city_code)


def _certificate_in_city(city_code: str) -> Q:
    """Held by a person of the city, or issued after a class there (imported certificates have no class)."""
    evaluations = apps.get_model("evaluation", "Evaluation").objects.filter(
        enrolment__training_class__city_id=city_code
    )
    return _persons_of_city("person")(city_code) | Q(evaluation__in=evaluations.values("pk"))


def register_foundation_models() -> None:
    model = apps.get_model
    register(model("accounts", "AuditEntry"), city=None)
    register(
        model("people", "Person"),
        city=_person_in_city,
        institution="enrolments__training_class__institution",
        enterprise="enrolments__training_class__project__applicant",
        person="pk",
    )
    register(model("people", "SkillUpgradeSubsidy"), city=_persons_of_city("person"), person="person")
    register(model("people", "PersonLink"), city=_link_in_city)
    register(model("providers", "Institution"), city="city", institution="pk")
    register(model("providers", "Teacher"), city="institution__city", institution="institution")
    register(model("providers", "InstitutionScope"), city="institution__city", institution="institution")
    register(model("demand", "Enterprise"), city="city", enterprise="pk")
    register(
        model("projects", "Project"), city="city", institution="chosen_institution", enterprise="applicant"
    )
    register(
        model("projects", "DeliveryApplication"),
        city="project__city",
        institution="institution",
        enterprise="project__applicant",
    )
    register(
        model("training", "TrainingClass"), city="city", institution="institution", enterprise="project__applicant"
    )
    register(
        model("training", "Enrolment"),
        city="training_class__city",
        institution="training_class__institution",
        enterprise="training_class__project__applicant",
        person="person",
    )
    register(
        model("training", "AttendanceRecord"),
        city="enrolment__training_class__city",
        institution="enrolment__training_class__institution",
        enterprise="enrolment__training_class__project__applicant",
        person="person",
    )
    register(
        model("evaluation", "Evaluation"),
        city="enrolment__training_class__city",
        institution="enrolment__training_class__institution",
        enterprise="enrolment__training_class__project__applicant",
        person="person",
    )
    register(
        model("evaluation", "Certificate"),
        city=_certificate_in_city,
        institution="evaluation__enrolment__training_class__institution",
        enterprise="project__applicant",
        person="person",
    )
    register(
        model("funding", "SubsidyClaim"),
        city="city",
        institution="institution",
        enterprise="project__applicant",
        person="person",
    )
    register(
        model("funding", "Payment"),
        city="claim__city",
        institution="claim__institution",
        enterprise="claim__project__applicant",
        person="person",
    )
    register(model("funding", "FundAccount"), city="city")
    register(model("funding", "LedgerTransaction"), city="claim__city")
    register(model("funding", "LedgerEntry"), city="fund__city")
    register(model("funding", "IdempotentRequest"), city=None)  # the API's own bookkeeping; province only
    register(model("sanctions", "BlacklistEntry"), city="institution__city", institution="institution")
