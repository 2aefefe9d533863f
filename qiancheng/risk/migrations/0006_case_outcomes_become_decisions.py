"""Data: each case closed before decisions existed gets one closing decision with the measure its outcome was
(no finding, recovery with its recovery case, listing of the institution or the person with its entry).
Reversible: going back copies the closing decision's reason, number and measure onto the case again."""

from django.db import migrations

LISTINGS = ("institution_listing", "person_listing")


def outcomes_to_decisions(apps, schema_editor):
    Case = apps.get_model("risk", "Case")
    CaseDecision = apps.get_model("risk", "CaseDecision")
    CaseMeasure = apps.get_model("risk", "CaseMeasure")
    for case in Case.objects.filter(status="closed").select_related("listing").order_by("pk"):
        decision = CaseDecision.objects.create(
            case=case, decided_by_id=case.closed_by_id, decided_at=case.closed_at,
            decided_on=case.closed_at.date(), reason=case.decision_reason or "-", document_ref=case.document_ref,
            closes_case=True)
        measure = CaseMeasure(decision=decision, kind=case.outcome or "no_finding")
        if case.outcome == "recovery":
            measure.recovery_id = case.recovery_id
        elif case.outcome == "listing":
            entry = case.listing
            measure.listing_id = entry.pk
            measure.kind = "institution_listing" if entry.institution_id else "person_listing"
            measure.institution_id, measure.person_id = entry.institution_id, entry.person_id
        measure.save()


def decisions_to_outcomes(apps, schema_editor):
    Case = apps.get_model("risk", "Case")
    CaseDecision = apps.get_model("risk", "CaseDecision")
    CaseMeasure = apps.get_model("risk", "CaseMeasure")
    for decision in CaseDecision.objects.filter(closes_case=True).order_by("pk"):
        measure = CaseMeasure.objects.filter(decision=decision).order_by("pk").first()
        outcome = "no_finding" if measure is None else measure.kind
        Case.objects.filter(pk=decision.case_id).update(
            outcome="listing" if outcome in LISTINGS else outcome if outcome in ("recovery", "no_finding")
            else "no_finding",
            decision_reason=decision.reason, document_ref=decision.document_ref,
            recovery_id=measure.recovery_id if measure is not None and outcome == "recovery" else None,
            listing_id=measure.listing_id if measure is not None and outcome in LISTINGS else None)
    CaseMeasure.objects.all().delete()
    CaseDecision.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('risk', '0005_case_decisions_measures_evidence'),
    ]

    operations = [
        migrations.RunPython(outcomes_to_decisions, decisions_to_outcomes),
    ]
