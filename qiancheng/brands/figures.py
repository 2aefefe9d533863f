"""What a brand achieved, computed from the records and never typed in (1d, 1e 宣传推广).

Over the brand's linked classes:
- trainees (培训人数): enrolments not withdrawn;
- completed (结业人数): enrolments completed;
- certified (取证人数): completed enrolments with a valid certificate from their evaluation;
- employed (就业人数): completed enrolments whose counting claim carries an employment proof (5.2c).
Pass rate = certified ÷ completed; employment rate = employed ÷ completed.

On public pages a count from 1 to 9 is shown as "<10", and a rate is shown only when both its counts are
10 or more: a small class must not let a reader pick out the few people in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from qiancheng.brands.models import TrainingBrand
from qiancheng.evaluation.models import Certificate, CertificateStatus
from qiancheng.funding.models import SubsidyClaim
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.training.models import Enrolment, EnrolmentStatus

SMALL = 10  # counts below this are suppressed on public pages (1 to 9)


@dataclass(frozen=True)
class BrandFigures:
    classes: int
    trainees: int
    completed: int
    certified: int
    employed: int

    @staticmethod
    def _rate(part: int, whole: int) -> Decimal | None:
        if whole == 0:
            return None
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def pass_rate(self) -> Decimal | None:
        """Percent, one decimal; None when nobody has completed."""
        return self._rate(self.certified, self.completed)

    @property
    def employment_rate(self) -> Decimal | None:
        return self._rate(self.employed, self.completed)

    def public(self) -> PublicFigures:
        def count(value: int) -> str:
            return "<10" if 0 < value < SMALL else str(value)

        def rate(part: int, value: Decimal | None) -> str | None:
            shown = value is not None and part >= SMALL and self.completed >= SMALL
            return f"{value}%" if shown else None

        return PublicFigures(classes=self.classes, trainees=count(self.trainees), completed=count(self.completed),
                             certified=count(self.certified), employed=count(self.employed),
                             pass_rate=rate(self.certified, self.pass_rate),
                             employment_rate=rate(self.employed, self.employment_rate))


@dataclass(frozen=True)
class PublicFigures:
    """The figures as the public page may show them (strings; a rate None = not shown)."""

    classes: int
    trainees: str
    completed: str
    certified: str
    employed: str
    pass_rate: str | None
    employment_rate: str | None


def brand_figures(brand: TrainingBrand) -> BrandFigures:
    """Four counts in one query over the brand's classes' enrolments."""
    class_ids = list(brand.classes.values_list("pk", flat=True))
    certified = Certificate.objects.filter(evaluation__enrolment=OuterRef("pk"), status=CertificateStatus.VALID)
    employed = SubsidyClaim.objects.filter(enrolment=OuterRef("pk"), status__in=COUNTING_STATUSES,
                                           employment_proof_date__isnull=False)
    done = Q(status=EnrolmentStatus.COMPLETED)
    counts = (Enrolment.objects.filter(training_class_id__in=class_ids)
              .annotate(has_certificate=Exists(certified), has_job=Exists(employed))
              .aggregate(trainees=Count("pk", filter=~Q(status=EnrolmentStatus.WITHDRAWN)),
                         completed=Count("pk", filter=done),
                         certified=Count("pk", filter=done & Q(has_certificate=True)),
                         employed=Count("pk", filter=done & Q(has_job=True))))
    return BrandFigures(classes=len(class_ids), **counts)
