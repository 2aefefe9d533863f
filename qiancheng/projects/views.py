"""Pages of project training: the public catalogue of published projects (3.4b: 向社会公布)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qiancheng.accounts.scope import public
from qiancheng.projects.models import Project, ProjectStatus

CATALOGUE_SHOWN = 500


@public
def catalogue(request: HttpRequest) -> HttpResponse:
    """`/projects/catalogue/`: every published project, for anyone (3.4b); drafts and reviews stay private."""
    published = (
        Project.objects.filter(status=ProjectStatus.PUBLISHED)
        .select_related("city", "applicant")
        .order_by("city_id", "-published_on", "code")
    )
    context = {"count": published.count(), "projects": published[:CATALOGUE_SHOWN], "shown": CATALOGUE_SHOWN}
    return render(request, "projects/catalogue.html", context)
