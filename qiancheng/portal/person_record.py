"""An official's view of one person's lifelong record (1e): `/people/<key>/record/` and its PDF.

The province, and an official of a city the person trained in (`lifelong_record.record_for_official`); every
other role, and a person outside the scope, gets the same 404. Each view is in the audit trail.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.portal.lifelong_record import OFFICIALS, record_for_official
from qiancheng.portal.my_record import record_pdf_response


@require_safe
@signed_in_as(OFFICIALS, hide=True)
def person_record(request: HttpRequest, person_key: str) -> HttpResponse:
    record = record_for_official(request.user, person_key, request=request)
    return render(request, "portal/record.html", {
        "record": record, "own": False, "pdf_url": reverse("portal:person_record_pdf", args=[person_key])})


@require_safe
@signed_in_as(OFFICIALS, hide=True)
def person_record_pdf(request: HttpRequest, person_key: str) -> HttpResponse:
    return record_pdf_response(record_for_official(request.user, person_key, request=request, form="pdf"))
