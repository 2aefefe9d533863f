"""The public catalog API (`/api/v1/catalog`): reference data anyone may read, so `auth=None`."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Query, Router, Status

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import public
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
from qiancheng.catalog.parks import ParkEntry, add_park, edit_park, end_park, parks_in_force
from qiancheng.catalog.schemas import (
    CityOut,
    CountyOut,
    CourseKindOut,
    DeactivateItemIn,
    EndParkIn,
    IndustrialParkOut,
    IndustryOut,
    NewParkIn,
    OccupationOut,
    OccupationPage,
    ParkIn,
    ProgrammeTagOut,
    SpecialAbilityItemIn,
    SpecialAbilityItemOut,
)
from qiancheng.catalog.special_items import ItemEntry, add_item, deactivate_item
from qiancheng.clock import today

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
    offset: int = Query(0, ge=0, le=1_000_000_000),
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


@router.get("/parks", response=list[IndustrialParkOut], auth=None,
            summary="沿边临港产业园区（今日在名单） / parks on the supported list today (4.1)")
def list_parks(request: HttpRequest) -> QuerySet[IndustrialPark]:
    return parks_in_force(today()).order_by("code")


def _park_entry(payload: ParkIn) -> ParkEntry:
    city = City.objects.filter(code=payload.city_code).first()
    if city is None:
        raise ApiError(422, "city_not_found", f"未找到地级市 {payload.city_code}", f"city {payload.city_code} not found")
    return ParkEntry(name=payload.name, city=city, source_document=payload.source_document,
                     valid_from=payload.valid_from, valid_to=payload.valid_to, note=payload.note)


def _park(code: str) -> IndustrialPark:
    found = IndustrialPark.objects.filter(code=code).first()
    if found is None:
        raise ApiError(404, "park_not_found", f"未找到园区 {code}", f"park {code} not found")
    return found


@router.post("/parks", response={201: IndustrialParkOut, 403: ErrorOut, 422: ErrorOut},
             summary="自治区人社厅新增园区 / the province adds a park to the list (4.1)")
def create_park(request: HttpRequest, payload: NewParkIn) -> Status:
    return Status(201, add_park(request.auth, payload.code, _park_entry(payload)))


@router.put("/parks/{code}", response={200: IndustrialParkOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            summary="自治区人社厅修改园区 / the province corrects a park (4.1)")
@public  # the province's list of parks is the same for everyone, not a city's record
def update_park(request: HttpRequest, code: str, payload: ParkIn) -> IndustrialPark:
    return edit_park(request.auth, _park(code), _park_entry(payload))


@router.post("/parks/{code}/end", response={200: IndustrialParkOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             summary="自治区人社厅结束园区支持 / the province ends a park's listing from a day (4.1)")
@public  # the province's list of parks is the same for everyone, not a city's record
def close_park(request: HttpRequest, code: str, payload: EndParkIn) -> IndustrialPark:
    return end_park(request.auth, _park(code), payload.last_day, payload.reason)


@router.get("/course-kinds", response=list[CourseKindOut], auth=None, summary="创业培训课程 / course kinds (3.3)")
def list_course_kinds(request: HttpRequest) -> QuerySet[CourseKind]:
    return CourseKind.objects.all()


@router.get(
    "/special-ability-items", response=list[SpecialAbilityItemOut], auth=None,
    summary="专项职业能力项目 / special ability items (3.2)",
)
def list_special_ability_items(request: HttpRequest) -> QuerySet[SpecialAbilityItem]:
    return SpecialAbilityItem.objects.filter(is_active=True)


@router.post("/special-ability-items", response={201: SpecialAbilityItemOut, 403: ErrorOut, 422: ErrorOut},
             summary="自治区人社厅新增专项职业能力项目（附公布文件）/ the province adds an item with its document (3.2)")
def create_special_ability_item(request: HttpRequest, payload: SpecialAbilityItemIn) -> Status:
    return Status(201, add_item(request.auth, ItemEntry(code=payload.code, name=payload.name,
                                                        min_hours=payload.min_hours,
                                                        source_document=payload.source_document, note=payload.note)))


@router.post("/special-ability-items/{code}/deactivate",
             response={200: SpecialAbilityItemOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             summary="自治区人社厅停用专项职业能力项目（说明原因）/ the province deactivates an item, with the reason")
@public  # the province's item list is the same for everyone, not a city's record
def deactivate_special_ability_item(request: HttpRequest, code: str, payload: DeactivateItemIn) -> SpecialAbilityItem:
    found = SpecialAbilityItem.objects.filter(code=code).first()
    if found is None:
        raise ApiError(404, "item_not_found", f"未找到专项职业能力项目 {code}", f"item {code} not found")
    return deactivate_item(request.auth, found, payload.reason)


@router.get("/industries", response=list[IndustryOut], auth=None, summary="产业 / industries (1a)")
def list_industries(request: HttpRequest) -> QuerySet[Industry]:
    return Industry.objects.filter(is_active=True)


@router.get("/programme-tags", response=list[ProgrammeTagOut], auth=None, summary="专项培训标签 / programme tags (4)")
def list_programme_tags(request: HttpRequest) -> QuerySet[ProgrammeTag]:
    return ProgrammeTag.objects.all()
