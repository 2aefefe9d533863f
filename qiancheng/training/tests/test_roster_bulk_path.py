"""The roster's bulk path writes what the one-trainee path writes (issue 14, the apply regression).

`apply_roster` registers through `register_persons` and enrols through `enrol_many` (`enrol` without reading
the enrolments back), with persons, enrolments and audit entries inserted as plain rows rather than model
instances. A roster of a few rows applied that way must leave the same persons, the same enrolments and the
same audit entries as the same trainees enrolled one by one with `enrol_person`, and the trail must verify.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from qiancheng.accounts.audit import verify_chain
from qiancheng.accounts.models import AuditEntry
from qiancheng.people import crypto
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.models import Person
from qiancheng.people.services import ID_NUMBER, PHONE
from qiancheng.training.models import ClassStatus, Enrolment, ImportStatus
from qiancheng.training.services.enrolment import enrol_person
from qiancheng.training.services.evidence import (
    EnrolmentEvidence,
    cleaned,
    evidence_problems,
    parse_day,
    parse_yes_no,
)
from qiancheng.training.services.roster_file import EVIDENCE_HEADERS
from qiancheng.training.services.roster_import import _no_evidence, apply_roster, receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster_open")]

BENEFIT = EnrolmentEvidence(receiving_unemployment_benefit=True, benefit_evidence="失业保险金核定通知书 南人社失〔2026〕0456号",
                            benefit_evidence_date=date(2026, 3, 2))


def number(serial: int) -> str:
    first17 = f"45010219880203{serial:03d}"
    return first17 + id_number_check_character(first17)


# (name, serial, phone, category as typed, category value, evidence)
TRAINEES: list[tuple[str, int, str | None, str, str, EnrolmentEvidence]] = [
    ("甲学员", 11, "13900000011", "其他", "other", EnrolmentEvidence()),
    ("乙学员", 12, None, "登记失业人员", "registered_unemployed", BENEFIT),
    ("丙 学员", 13, "13900000013", "农村转移劳动力", "rural_migrant_worker", EnrolmentEvidence()),
]


def _row(name: str, serial: int, phone: str | None, typed: str, evidence: EnrolmentEvidence) -> list[str | None]:
    cells: list[str | None] = [name, number(serial), phone, typed, None]
    for field in EVIDENCE_HEADERS:
        value = getattr(evidence, field)
        cells.append("是" if value is True else None if value in (False, None, "") else str(value))
    return cells


def _state(training_pk: int) -> dict[str, Any]:
    """Everything the two paths wrote, without what differs by construction (ciphertexts' nonces, ids, times)."""
    persons = {p.person_key: (p.name, p.sex, p.birth_date, p.county_code, p.id_number_masked, p.phone_masked,
                              p.category, crypto.decrypt(p.id_number_enc, purpose=ID_NUMBER),
                              crypto.decrypt(p.phone_enc, purpose=PHONE) if p.phone_enc else "",
                              p.has_business_licence, p.receiving_unemployment_benefit)
               for p in Person.objects.all()}
    evidence = list(EnrolmentEvidence().enrolment_fields())
    enrolments = {e.person_id: (e.category, e.applicant_relation, e.enrolled_on, e.status,
                                *(getattr(e, name) for name in evidence))
                  for e in Enrolment.objects.filter(training_class_id=training_pk)}
    by_pk = {str(pk): key for pk, key in Enrolment.objects.values_list("pk", "person_id")}
    entries = AuditEntry.objects.filter(action__in=("person.registered", "enrolment.created"))
    audit = {(e.action, e.target_model, e.target_pk if e.action == "person.registered" else by_pk[e.target_pk]):
             (e.actor_id, e.actor_label, e.before, e.reason, e.ip,
              {k: v for k, v in e.after.items() if k != "class"}) for e in entries}
    return {"persons": persons, "enrolments": enrolments, "audit": audit}


def _rolled_back(work: Any) -> dict[str, Any]:
    """Run `work` and read the state it left, then undo it, so both paths start from the same database."""
    with transaction.atomic():
        training_pk = work()
        state = _state(training_pk)
        assert verify_chain().ok
        transaction.set_rollback(True)
    return state


def test_a_roster_applied_in_bulk_leaves_what_enrolling_each_trainee_leaves(persona_institution,
                                                                           institution_user) -> None:
    training = builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))

    def by_roster() -> int:
        rows = [_row(name, serial, phone, typed, evidence) for name, serial, phone, typed, _, evidence in TRAINEES]
        job = receive_roster(institution_user, training, "名册.xlsx", roster_xlsx(rows))
        job.refresh_from_db()
        assert (job.status, job.good_count) == (ImportStatus.VALIDATED, len(TRAINEES)), job.problems
        assert apply_roster(institution_user, job).applied_count == len(TRAINEES)
        return training.pk

    def one_by_one() -> int:
        for name, serial, phone, _, category, evidence in TRAINEES:
            enrol_person(institution_user, training, id_number=number(serial), name=name, category=category,
                         phone=phone, evidence=evidence)
        return training.pk

    bulk, single = _rolled_back(by_roster), _rolled_back(one_by_one)
    assert len(bulk["persons"]) == len(bulk["enrolments"]) == len(TRAINEES)
    assert len(bulk["audit"]) == 2 * len(TRAINEES)  # one entry per person registered, one per enrolment
    assert bulk == single


@pytest.mark.parametrize("is_project", [False, True])
def test_a_row_stating_no_evidence_reads_as_the_general_path_reads_empty_cells(is_project: bool) -> None:
    typed = {field: (parse_yes_no("") if field == "receiving_unemployment_benefit" else
                     parse_day("") if field.endswith(("_date", "_issued_on")) else "") for field in EVIDENCE_HEADERS}
    general = cleaned(EnrolmentEvidence(**typed), is_project=is_project)
    assert _no_evidence(is_project) == general and evidence_problems(general) == []
