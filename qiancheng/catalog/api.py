"""The public catalog API (`/api/v1/catalog`): reference data anyone may read, so `auth=None`."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Query, Router

from qiancheng.accounts.api_errors import ApiError
from qiancheng.catalog.models import (
    City,
    County,
    CourseKind,
    IndustrialPark,
    Industry,
    Occupation,
    ProgrammeTag,
    SpecialAbilityItem,
)
from qiancheng.catalog.schemas import (
    CityOut,
    CountyOut,
    CourseKindOut,
    IndustrialParkOut,
    IndustryOut,
    OccupationOut,
    OccupationPage,
    ProgrammeTagOut,
    SpecialAbilityItemOut,
)

router = Router(tags=["catalog 目录"])

MAX_PAGE = 100


def search_occupations(q: str) -> QuerySet[Occupation]:
    """Code prefix or name substring; exact name first, then name prefix, code prefix, the rest, by code."""
    q = q.strip()
    found = Occupation.objects.all()
    if not q:
        return found
    rank = Case(
        When(name=q, then=Value(0)),
        When(name__startswith=q, then=Value(1)),
        When(code__startswith=q, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return found.filter(Q(code__startswith=q) | Q(name__contains=q)).annotate(rank=rank).order_by("rank", "code")


@router.get("/occupations", response=OccupationPage, auth=None, summary="职业检索 / search occupations")
def list_occupations(
    request: HttpRequest,
    q: str = Query("", max_length=64, description="职业编码前缀或名称片段 / code prefix or part of the name"),
    ai_shortage: bool | None = Query(None, description="只看（或排除）人工智能急需紧缺职业 / AI list only"),
    limit: int = Query(20, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> dict:
    found = search_occupations(q)
    if ai_shortage is not None:
        found = found.filter(is_ai_shortage=ai_shortage)
    return {"count": found.count(), "limit": limit, "offset": offset, "items": list(found[offset : offset + limit])}


@router.get("/occupations/{code}", response=OccupationOut, auth=None, summary="职业详情 / one occupation")
def get_occupation(request: HttpRequest, code: str) -> Occupation:
    occupation = Occupation.objects.filter(code=code).first()
    if occupation is None:
        raise ApiError(404, "occupation_not_found", f"未找到职业 {code}", f"occupation {code} not found")
    return occupation


@router.get("/cities", response=list[CityOut], auth=None, summary="地级市 / cities")
def list_cities(request: HttpRequest) -> QuerySet[City]:
    return City.objects.all()


@router.get("/cities/{code}/counties", response=list[CountyOut], auth=None, summary="县级区划 / counties of a city")
def list_counties(
    request: HttpRequest,
    code: str,
    include_historical: bool = Query(False, description="含已停用的历史代码 / include withdrawn codes"),
) -> QuerySet[County]:
    if not City.objects.filter(code=code).exists():
        raise ApiError(404, "city_not_found", f"未找到地级市 {code}", f"city {code} not found")
    counties = County.objects.filter(city_id=code)
    return counties if include_historical else counties.filter(is_current=True)


@router.get("/parks", response=list[IndustrialParkOut], auth=None, summary="沿边临港产业园区 / parks (4.1)")
def list_parks(request: HttpRequest) -> QuerySet[IndustrialPark]:
    return IndustrialPark.objects.filter(is_active=True)


@router.get("/course-kinds", response=list[CourseKindOut], auth=None, summary="创业培训课程 / course kinds (3.3)")
def list_course_kinds(request: HttpRequest) -> QuerySet[CourseKind]:
    return CourseKind.objects.all()


@router.get(
    "/special-ability-items", response=list[SpecialAbilityItemOut], auth=None,
    summary="专项职业能力项目 / special ability items (3.2)",
)
def list_special_ability_items(request: HttpRequest) -> QuerySet[SpecialAbilityItem]:
    return SpecialAbilityItem.objects.filter(is_active=True)


@router.get("/industries", response=list[IndustryOut], auth=None, summary="产业 / industries (1a)")
def list_industries(request: HttpRequest) -> QuerySet[Industry]:
    return Industry.objects.filter(is_active=True)


@router.get("/programme-tags", response=list[ProgrammeTagOut], auth=None, summary="专项培训标签 / programme tags (4)")
def list_programme_tags(request: HttpRequest) -> QuerySet[ProgrammeTag]:
    return ProgrammeTag.objects.all()
