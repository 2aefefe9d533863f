"""`/insight/report-card/`: the public report card (1e) — institutions, outcomes by occupation, courses on offer —
each filterable by city and occupation, paged, with its .xlsx. No login; cached and throttled per address
(insight.report_card). docs/statistics.md "The public report card"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.audit import client_ip
from qiancheng.accounts.scope import public
from qiancheng.catalog.models import City, Occupation
from qiancheng.clock import today
from qiancheng.insight import report_card
from qiancheng.insight.report_card import Outcomes, PublicFigures
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.training.models import ClassStatus, TrainingClass
from qiancheng.web.listing import Filter, Listing, Sort, listing
from qiancheng.web.table_xlsx import TableFile, table_xlsx

PROVINCE_UNIT = "广西壮族自治区人力资源和社会保障厅"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEWS = ("institutions", "occupations", "courses")
ON_OFFER = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)
PAGE_SECONDS = 300  # what a browser or proxy may keep; the figures themselves are cached CACHE_SECONDS


def _city_filter(lookup: str = "", where: dict[str, Q] | None = None) -> Filter:
    return Filter("city", gettext_lazy("城市"), list(City.objects.order_by("code").values_list("code", "name")),
                  lookup=lookup, where=where)


def _occupation_choices(codes: set[str]) -> list[tuple[str, str]]:
    return list(Occupation.objects.filter(code__in=codes).order_by("code").values_list("code", "name"))


def _chosen(request: HttpRequest, name: str, allowed: set[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


# ---------------------------------------------------------------- the three tables


def _institutions(request: HttpRequest, data: Outcomes) -> tuple[Listing, list[dict[str, Any]]]:
    codes = data.occupation_codes()
    rows = Institution.objects.filter(Q(pk__in=data.institution_ids()) | Q(status=InstitutionStatus.APPROVED)) \
        .select_related("city")
    listed = listing(request, rows, search=("name",), search_label=gettext_lazy("机构名称"), filters=[
        _city_filter(lookup="city_id"),
        Filter("occupation", gettext_lazy("职业"), _occupation_choices(codes),
               where={code: Q(pk__in=data.institution_ids(occupation=code)) for code in codes})],
        sorts=[Sort("city", gettext_lazy("按城市"), ("city_id", "name", "pk")),
               Sort("name", gettext_lazy("按名称"), ("name", "pk"))])
    occupation = _chosen(request, "occupation", codes)
    return listed, _institution_rows(listed.rows, data, occupation)


def _institution_rows(institutions: list[Institution], data: Outcomes, occupation: str) -> list[dict[str, Any]]:
    stars = report_card.stars_in_force([each.pk for each in institutions], data.day)
    return [{"institution": each, "stars": stars.get(each.pk),
             "figures": PublicFigures.of(data.of_institution(each.pk, occupation), data.minimum)}
            for each in institutions]


def _occupations(request: HttpRequest, data: Outcomes) -> tuple[Listing, list[dict[str, Any]]]:
    cities = {code for code in City.objects.values_list("code", flat=True)}
    rows = Occupation.objects.filter(code__in=data.occupation_codes())
    listed = listing(request, rows, search=("name", "code"), search_label=gettext_lazy("职业"), filters=[
        _city_filter(where={city: Q(code__in=data.occupation_codes(city)) for city in cities})],
        sorts=[Sort("code", gettext_lazy("按职业编码"), ("code",))])
    city = _chosen(request, "city", cities)
    return listed, [{"occupation": each, "figures": PublicFigures.of(data.of_occupation(each.code, city), data.minimum)}
                    for each in listed.rows]


def _courses(request: HttpRequest, data: Outcomes) -> tuple[Listing, list[dict[str, Any]]]:
    rows: QuerySet = TrainingClass.objects.filter(status__in=ON_OFFER, end_date__gte=data.day).select_related(
        "institution", "city", "occupation", "item", "course_kind")
    codes = set(rows.exclude(occupation__isnull=True).values_list("occupation_id", flat=True))
    listed = listing(request, rows, search=("name", "institution__name"), search_label=gettext_lazy("班级或机构"),
                     filters=[_city_filter(lookup="city_id"),
                              Filter("occupation", gettext_lazy("职业"), _occupation_choices(codes),
                                     lookup="occupation_id")],
                     sorts=[Sort("start", gettext_lazy("开班日期"), ("start_date", "pk"))])
    stars = report_card.stars_in_force({each.institution_id for each in listed.rows}, data.day)
    return listed, [{"course": each, "stars": stars.get(each.institution_id)} for each in listed.rows]


TABLES = {"institutions": _institutions, "occupations": _occupations, "courses": _courses}


def _too_many(request: HttpRequest, view: str) -> HttpResponse | None:
    if view not in TABLES:
        raise Http404
    if request.user.is_authenticated:
        return None
    if report_card.throttled(client_ip(request) or "unknown"):
        response = render(request, "insight/report_card_throttled.html", status=429)
        response["Retry-After"] = "60"
        return response
    return None


@public
@require_http_methods(["GET", "HEAD"])
def report_card_page(request: HttpRequest, view: str = "institutions") -> HttpResponse:
    refused = _too_many(request, view)
    if refused is not None:
        return refused
    data = report_card.outcomes()
    listed, rows = TABLES[view](request, data)
    response = render(request, "insight/report_card.html", {
        "view": view, "listed": listed, "rows": rows, "data": data, "query": listed.query_for()[1:],
        "tabs": [("institutions", _("培训机构")), ("occupations", _("按职业的培训结果")), ("courses", _("在办培训班"))],
    })
    patch_cache_control(response, public=True, max_age=PAGE_SECONDS)
    return response


# ---------------------------------------------------------------- the .xlsx


def _all(request: HttpRequest, view: str, data: Outcomes) -> list[dict[str, Any]]:
    """Every row the filters keep (not one page): the listing with the page size of the whole list."""
    listed, _rows = TABLES[view](request, data)
    rows_all = listed.page.paginator.object_list
    if view == "institutions":
        return _institution_rows(list(rows_all), data, _chosen(request, "occupation", data.occupation_codes()))
    if view == "occupations":
        city = _chosen(request, "city", set(City.objects.values_list("code", flat=True)))
        return [{"occupation": each, "figures": PublicFigures.of(data.of_occupation(each.code, city), data.minimum)}
                for each in rows_all]
    stars = report_card.stars_in_force({each.institution_id for each in rows_all}, data.day)
    return [{"course": each, "stars": stars.get(each.institution_id)} for each in rows_all]


FIGURE_COLUMNS = ("培训班数 Classes", "学员人数 Trainees", "结业人数 Completed", "合格率 Pass rate",
                  "就业率 Employment rate")


def _stars_text(stars: report_card.Stars | None) -> str:
    return f"{stars.stars}★ ({stars.period:%Y-%m})" if stars else "未评定 not rated"


def report_file(request: HttpRequest, view: str, data: Outcomes) -> bytes:
    rows = _all(request, view, data)
    if view == "institutions":
        columns: tuple[str, ...] = ("机构 Institution", "城市 City", "星级 Stars", *FIGURE_COLUMNS)
        values = [[row["institution"].name, row["institution"].city.name, _stars_text(row["stars"]),
                   *report_card.public_row_values(row["figures"])] for row in rows]
    elif view == "occupations":
        columns = ("职业编码 Occupation code", "职业 Occupation", *FIGURE_COLUMNS)
        values = [[row["occupation"].code, row["occupation"].name, *report_card.public_row_values(row["figures"])]
                  for row in rows]
    else:
        columns = ("培训班 Class", "机构 Institution", "机构星级 Stars", "城市 City", "职业或项目 Occupation or item",
                   "等级 Level", "开班 Start", "结业 End", "课时 Hours")
        values = [[row["course"].name, row["course"].institution.name, _stars_text(row["stars"]),
                   row["course"].city.name, _subject(row["course"]), row["course"].level,
                   row["course"].start_date.isoformat(), row["course"].end_date.isoformat(),
                   row["course"].class_hours] for row in rows]
    return table_xlsx(TableFile(
        sheet="培训质量公开", title="技能培训质量公开 Public report card (1e)",
        header=[("发布单位 Unit", PROVINCE_UNIT),
                ("统计期间 Period", f"{data.start.isoformat()} 至 {data.day.isoformat()}（结业的培训班）"),
                ("数据日期 Data as of", data.day.isoformat()),
                ("编制人 Compiler", "公开数据 public data"),
                ("小格抑制 Small cells", f"少于{data.minimum}人显示为<{data.minimum}，不足{data.minimum}人的比率不显示")],
        columns=columns, rows=[tuple(each) for each in values]))


def _subject(course: TrainingClass) -> str:
    if course.occupation_id:
        return course.occupation.name
    if course.item_id:
        return course.item.name
    return course.course_kind.code if course.course_kind_id else course.get_training_type_display()


@public
@require_http_methods(["GET", "HEAD"])
def report_card_export(request: HttpRequest, view: str = "institutions") -> HttpResponse:
    refused = _too_many(request, view)
    if refused is not None:
        return refused
    data = report_card.outcomes()
    response = HttpResponse(report_file(request, view, data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="report-card-{view}-{today().isoformat()}.xlsx"'
    patch_cache_control(response, public=True, max_age=PAGE_SECONDS)
    return response
