"""1d's pattern for a brand's name: "地方名（企业名）+职业（工种）名称+培训".

A name is read from its end: it must end in 培训; before that stands an occupation of the national
classification or one of Guangxi's special-ability items (the 工种), both from the catalogue; what is left
in front must be a place of the catalogue's divisions (a city or a current county, with or without 市/县/区)
or the name of an enterprise registered in demand. Each part that does not fit gets its own reason, in
Chinese and English, so the city sees which part to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qiancheng.catalog.models import City, County, Occupation, SpecialAbilityItem
from qiancheng.demand.models import Enterprise, EnterpriseStatus

SUFFIX = "培训"
# 融水苗族自治县 → 融水, 龙胜各族自治县 → 龙胜: the short names people write.
# Guangxi's autonomous counties are of these peoples (仫佬族 罗城, 毛南族 环江, 各族 隆林 and 龙胜).
_AUTONOMOUS = re.compile(r"(各族|苗族|瑶族|侗族|仫佬族|毛南族|壮族|彝族|京族)自治县$")


@dataclass(frozen=True)
class NameProblem:
    part: str  # "suffix", "trade", "place", "city"
    code: str
    zh: str
    en: str


@dataclass
class NameReading:
    """What the check found in a name, and what does not fit (empty `problems`: the name fits 1d)."""

    name: str
    place_text: str = ""
    city: City | None = None
    county: County | None = None
    enterprise: Enterprise | None = None
    occupation: Occupation | None = None
    item: SpecialAbilityItem | None = None
    problems: list[NameProblem] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return not self.problems


def short_names(full: str) -> set[str]:
    """A division as people write it: 南宁市 and 南宁, 横州市 and 横州, 融水苗族自治县 and 融水."""
    names = {full}
    shortened = _AUTONOMOUS.sub("", full)
    if shortened == full:
        shortened = full[:-1] if full[-1:] in "市县区" else full
    if len(shortened) >= 2:
        names.add(shortened)
    return names


def _places() -> dict[str, tuple[City, County | None]]:
    places: dict[str, tuple[City, County | None]] = {}
    for county in County.objects.filter(is_current=True).select_related("city"):
        for name in short_names(county.name):
            places.setdefault(name, (county.city, county))
    for city in City.objects.all():  # a city's own name wins over a county that shares it
        for name in short_names(city.name):
            places[name] = (city, None)
    return places


def _trades() -> dict[str, Occupation | SpecialAbilityItem]:
    trades: dict[str, Occupation | SpecialAbilityItem] = {
        item.name: item for item in SpecialAbilityItem.objects.filter(is_active=True)}
    trades.update({occupation.name: occupation for occupation in Occupation.objects.all()})
    return trades


def read_name(name: str, city: City | None = None) -> NameReading:
    """Check `name` against 1d's pattern; with `city`, the place or enterprise must also be that city's."""
    name = "".join(name.split())
    reading = NameReading(name=name)
    if not name.endswith(SUFFIX):
        reading.problems.append(NameProblem(
            "suffix", "suffix_missing", f"品牌名称须以“{SUFFIX}”结尾（地方名或企业名＋职业（工种）名称＋培训）",
            f"the name must end in {SUFFIX} (place or enterprise + occupation or trade + {SUFFIX})"))
        return reading
    stem = name[: -len(SUFFIX)]
    trades = _trades()
    # Every way the stem can end in a catalogue trade, the longest first (养老护理员 before 护理员).
    endings = [(stem[:start], trades[stem[start:]]) for start in range(len(stem)) if stem[start:] in trades]
    if not endings:
        reading.problems.append(NameProblem(
            "trade", "trade_unknown",
            f"“{SUFFIX}”前的“{stem}”不以职业分类大典中的职业或专项职业能力项目名称结尾",
            f"what stands before {SUFFIX} (“{stem}”) does not end in an occupation or special-ability item "
            "of the catalogue"))
        return reading
    places = _places()
    for prefix, trade in endings:
        if prefix in places:
            reading.city, reading.county = places[prefix]
        else:
            found = Enterprise.objects.filter(name=prefix, status=EnterpriseStatus.APPROVED).select_related(
                "city").first() if prefix else None
            if found is None:
                continue
            reading.enterprise, reading.city = found, found.city
        reading.place_text = prefix
        _set_trade(reading, trade)
        break
    else:
        prefix, trade = endings[0]
        _set_trade(reading, trade)
        reading.place_text = prefix
        shown = prefix or "（空）"
        reading.problems.append(NameProblem(
            "place", "place_unknown",
            f"职业（工种）名称“{trade.name}”前的“{shown}”不是广西的地方名（市、县、区），也不是已登记的企业名称",
            f"“{shown}” before the trade “{trade.name}” is neither a place of Guangxi (a city, county or "
            "district) nor the name of a registered enterprise"))
        return reading
    if city is not None and reading.city is not None and reading.city.pk != city.pk:
        reading.problems.append(NameProblem(
            "city", "place_other_city", f"“{reading.place_text}”属于{reading.city.name}，不是本市（{city.name}）",
            f"“{reading.place_text}” belongs to {reading.city.name_en or reading.city.name}, not to "
            f"{city.name_en or city.name}"))
    return reading


def _set_trade(reading: NameReading, trade: Occupation | SpecialAbilityItem) -> None:
    if isinstance(trade, Occupation):
        reading.occupation = trade
    else:
        reading.item = trade
