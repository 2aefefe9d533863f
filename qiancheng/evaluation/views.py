"""Certificate pages: the public verification page and the printable certificate (1b, 4.2, 4.6)."""

from __future__ import annotations

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from qiancheng.accounts.scope import get_scoped_or_404, public
from qiancheng.evaluation.models import Certificate

CERTIFICATE_RELATIONS = ("person", "occupation", "item", "course_kind", "project")


def mask_name(name: str) -> str:
    """'张三' -> '张*', '张小三' -> '张*三': the public sees enough to match a certificate, not a full name."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("evaluation:verify", args=[certificate.number]))


@public
@require_safe
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """`/verify/<number>/`: anyone checks a certificate; the holder's name is masked and no ID number shows."""
    certificate = Certificate.objects.select_related(*CERTIFICATE_RELATIONS).filter(number=number.strip()).first()
    if certificate is None:
        return render(request, "evaluation/verify_not_found.html", {"number": number}, status=404)
    context = {"certificate": certificate, "holder": mask_name(certificate.person.name)}
    return render(request, "evaluation/verify.html", context)


@require_safe
def certificate_print(request: HttpRequest, number: str) -> HttpResponse:
    """`/certificates/<number>/`: the printable certificate for its holder, institution and officials."""
    certificate = get_scoped_or_404(
        Certificate.objects.select_related(*CERTIFICATE_RELATIONS), request.user, number=number
    )
    verify_url = _verify_url(request, certificate)
    qr_svg = segno.make(verify_url, error="m").svg_inline(scale=4)
    context = {"certificate": certificate, "verify_url": verify_url, "qr_svg": qr_svg,
               "id_number_masked": certificate.person.id_number_masked}
    return render(request, "evaluation/certificate.html", context)
