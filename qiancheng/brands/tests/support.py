"""Records for brand tests: a 南宁 class of 养老护理员 whose trainees complete, certify and find work."""

from __future__ import annotations

import itertools
from datetime import date

from qiancheng.catalog.models import Occupation
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import ProofKind
from qiancheng.training.models import EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders

ELDER_CARE = "养老护理员"
_serial = itertools.count(1)


def elder_care() -> Occupation:
    return Occupation.objects.get(name=ELDER_CARE)


def elder_care_class(*, completed: int, certified: int, employed: int, withdrawn: int = 0,
                     city_code: str = "450100") -> TrainingClass:
    """A finished class: `completed` trainees completed, the first `certified` of them hold a certificate, the
    first `employed` of those have a claim with an employment proof; `withdrawn` more left early."""
    training = builders.training_class(occupation=elder_care(), level=4, city=builders.city(city_code))
    for number in range(completed + withdrawn):
        trainee = builders.person()
        left = number >= completed
        enrolment = builders.enrolment(training, trainee, status=EnrolmentStatus.WITHDRAWN if left
                                       else EnrolmentStatus.COMPLETED, left_on=date(2025, 9, 30))
        if left or number >= certified:
            continue
        evaluation = Evaluation.objects.create(enrolment=enrolment, person=trainee, passed=True,
                                               evaluated_on=date(2025, 10, 1), evaluator="评价中心")
        Certificate.objects.create(number=f"B{next(_serial):08d}", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL,
                                   person=trainee, occupation=training.occupation, level=4, issuer="评价中心",
                                   issued_on=date(2025, 10, 8), evaluation=evaluation)
        if number < employed:
            builders.subsidy_claim(enrolment, f"BC{next(_serial):08d}", employment_proof_kind=ProofKind.LABOUR_CONTRACT,
                                   employment_proof_date=date(2026, 1, 10))
    return training
