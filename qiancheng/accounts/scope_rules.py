"""Scope rules of the foundation's domain models, read top to bottom like a permissions table.

Models added later register from their own app's `AppConfig.ready()` (docs/security.md shows how).
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q

from qiancheng.accounts.scope import register


def _person_in_city(prefix: str = "") -> object:
    """A person belongs to a city by the county of their ID number, or by training there."""

    def condition(city_code: str) -> Q:
        counties = apps.get_model("catalog", "County").objects.filter(city_id=city_code).values("code")
        return Q(**{f"{prefix}county_code__in": counties}) | Q(
            **{f"{prefix}enrolments__training_class__city": city_code}
        )

    return condition


def register_foundation_models() -> None:
    model = apps.get_model
    register(model("accounts", "AuditEntry"), city=None)
    register(
        model("people", "Person"),
        city=_person_in_city(),
        institution="enrolments__training_class__institution",
        enterprise="enrolments__training_class__project__applicant",
        person="pk",
    )
    register(model("people", "SkillUpgradeSubsidy"), city=_person_in_city("person__"), person="person")
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
        city="evaluation__enrolment__training_class__city",
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
    register(model("risk", "BlacklistEntry"), city="institution__city", institution="institution")
