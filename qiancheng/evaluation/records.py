"""An institution's record in certificates, for the city choosing who delivers a project (3.4c 择优)."""

from __future__ import annotations

from django.db.models import Count

from qiancheng.evaluation.models import Certificate, CertificateStatus

INSTITUTION = "evaluation__enrolment__training_class__institution"


def institution_certificates(institution_ids: list[int]) -> dict[int, dict[str, int]]:
    """Valid certificates from the evaluations of each institution's classes."""
    counts = (
        Certificate.objects.filter(**{f"{INSTITUTION}__in": institution_ids}, status=CertificateStatus.VALID)
        .values(INSTITUTION).annotate(n=Count("pk")).values_list(INSTITUTION, "n")
    )
    return {institution: {"certificates": n} for institution, n in counts}
