"""The fixed facts and the assumptions the synthetic province is drawn from.

Real facts (division codes, occupation codes) come from the catalog's shipped data; everything
else here is a stated assumption of the synthetic world, chosen to look plausible, not a statistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from qiancheng.catalog import shipped

# Prefecture-level cities with their 2020 census population in millions (第七次全国人口普查), used
# only as weights for where synthetic people live.
CITIES: tuple[tuple[str, str, float], ...] = (
    ("450100", "南宁市", 8.74),
    ("450200", "柳州市", 4.16),
    ("450300", "桂林市", 4.93),
    ("450400", "梧州市", 2.82),
    ("450500", "北海市", 1.85),
    ("450600", "防城港市", 1.05),
    ("450700", "钦州市", 3.30),
    ("450800", "贵港市", 4.32),
    ("450900", "玉林市", 5.80),
    ("451000", "百色市", 3.57),
    ("451100", "贺州市", 2.01),
    ("451200", "河池市", 3.42),
    ("451300", "来宾市", 2.07),
    ("451400", "崇左市", 2.09),
)

# Cities whose synthetic trainees are deliberately short of the 2.1b key-group share (≥ 70%),
# so that the dashboard's flag has something to show.
LOW_KEY_GROUP_CITIES = ("450200", "450500")

PERSON_CATEGORIES = (
    "graduate_youth",
    "rural_migrant_worker",
    "registered_unemployed",
    "employment_difficulty",
    "enterprise_employee",
    "other",
)
# 2.1b: graduates/youth, rural migrant workers, registered unemployed, people with difficulties.
KEY_GROUPS = PERSON_CATEGORIES[:4]
# Category shares of trainees (same order as PERSON_CATEGORIES): key groups 75% in most cities,
# 61% in LOW_KEY_GROUP_CITIES.
CATEGORY_SHARES = (0.25, 0.37, 0.08, 0.05, 0.18, 0.07)
LOW_CITY_CATEGORY_SHARES = (0.20, 0.30, 0.07, 0.04, 0.29, 0.10)
# Age range (years, on 2025-07-01) of each category.
CATEGORY_AGES = ((16, 30), (18, 58), (20, 58), (28, 58), (20, 55), (18, 58))
# Share of each category that holds a business licence (3.3), and that receives unemployment benefit (5.3).
CATEGORY_LICENCE = (0.05, 0.08, 0.03, 0.03, 0.02, 0.25)
CATEGORY_BENEFIT = (0.0, 0.0, 0.45, 0.05, 0.0, 0.0)

TRAINING_TYPES = ("occupational", "special_ability", "entrepreneurship", "project")
# Training-type shares per category (rows follow PERSON_CATEGORIES, columns TRAINING_TYPES).
CATEGORY_TRAINING_TYPES = (
    (0.50, 0.12, 0.23, 0.15),
    (0.60, 0.20, 0.08, 0.12),
    (0.55, 0.15, 0.20, 0.10),
    (0.60, 0.25, 0.10, 0.05),
    (0.45, 0.10, 0.05, 0.40),
    (0.45, 0.15, 0.30, 0.10),
)


@dataclass(frozen=True)
class TrainedOccupation:
    """An occupation that synthetic classes train for, with the levels it has (5 lowest .. 1 highest)."""

    code: str
    name: str
    lowest: int
    highest: int
    weight: float
    ai: bool = False


# Codes checked against the 2022 classification shipped with the catalog; levels follow the
# published national standards where the data README lists them, else 五级-三级 as a cautious guess.
TRAINED_OCCUPATIONS: tuple[TrainedOccupation, ...] = (
    TrainedOccupation("4-04-05-05", "人工智能训练师", 5, 1, 5.0, ai=True),
    TrainedOccupation("4-01-06-02", "互联网营销师", 5, 1, 7.0),
    TrainedOccupation("4-01-06-01", "电子商务师", 5, 3, 4.0),
    TrainedOccupation("4-13-01-05", "全媒体运营师", 5, 3, 2.0),
    TrainedOccupation("6-31-01-03", "电工", 5, 1, 8.0),
    TrainedOccupation("6-18-02-04", "焊工", 5, 1, 6.0),
    TrainedOccupation("6-31-07-03", "工业机器人系统操作员", 5, 3, 2.0),
    TrainedOccupation("4-12-01-01", "汽车维修工", 5, 1, 4.0),
    TrainedOccupation("4-03-02-01", "中式烹调师", 5, 1, 8.0),
    TrainedOccupation("4-03-02-02", "中式面点师", 5, 1, 6.0),
    TrainedOccupation("4-03-02-04", "西式面点师", 5, 3, 3.0),
    TrainedOccupation("4-03-02-07", "茶艺师", 5, 3, 3.0),
    TrainedOccupation("4-03-02-05", "餐厅服务员", 5, 3, 2.0),
    TrainedOccupation("4-10-01-01", "婴幼儿发展引导员", 4, 1, 3.0),
    TrainedOccupation("4-10-01-03", "保育师", 5, 3, 4.0),
    TrainedOccupation("4-10-01-05", "养老护理员", 5, 1, 6.0),
    TrainedOccupation("4-10-01-06", "家政服务员", 5, 2, 5.0),
    TrainedOccupation("4-14-01-02", "医疗护理员", 5, 4, 2.0),
    TrainedOccupation("4-10-03-01", "美容师", 5, 3, 3.0),
    TrainedOccupation("4-10-03-02", "美发师", 5, 3, 3.0),
    TrainedOccupation("4-10-04-02", "保健按摩师", 5, 3, 2.0),
    TrainedOccupation("4-14-06-02", "民宿管家", 5, 3, 2.0),
    TrainedOccupation("4-02-04-06", "无人机驾驶员", 5, 3, 2.0),
    TrainedOccupation("6-23-03-15", "无人机装调检修工", 5, 3, 1.0),
    TrainedOccupation("4-08-03-07", "无人机测绘操控员", 5, 3, 1.0),
    TrainedOccupation("4-04-04-02", "网络与信息安全管理员", 5, 3, 1.0),
    TrainedOccupation("6-29-01-01", "砌筑工", 5, 3, 2.0),
    TrainedOccupation("6-29-04-01", "装饰装修工", 5, 3, 2.0),
    TrainedOccupation("6-05-01-03", "缝纫工", 5, 3, 2.0),
    TrainedOccupation("5-05-01-02", "农业经理人", 5, 3, 3.0),
    TrainedOccupation("5-01-02-01", "农艺工", 5, 3, 2.0),
    TrainedOccupation("4-07-05-01", "保安员", 5, 3, 2.0),
    TrainedOccupation("4-07-05-03", "消防设施操作员", 5, 3, 1.0),
    TrainedOccupation("4-02-07-08", "快递员", 5, 3, 1.0),
)
# Level shares of occupational trainees before clipping to an occupation's range (5, 4, 3, 2, 1).
LEVEL_SHARES = (0.60, 0.27, 0.10, 0.025, 0.005)

COURSE_KINDS = ("GYB", "SYB", "IYB", "EYB", "online_live", "online_ecommerce", "online_simulation")
# Course-kind shares for people without a licence (IYB/EYB excluded, 3.3) and with one.
COURSE_SHARES_NO_LICENCE = (0.25, 0.40, 0.0, 0.0, 0.12, 0.15, 0.08)
COURSE_SHARES_LICENCE = (0.0, 0.10, 0.45, 0.25, 0.08, 0.08, 0.04)
COURSE_HOURS = (24, 80, 40, 60, 30, 30, 24)

INDUSTRIES = (
    "人工智能", "先进制造", "汽车", "机械", "冶金", "有色金属", "建材", "食品", "糖业", "电子信息",
    "现代物流", "文化旅游", "养老托育", "家政服务", "电子商务", "现代农业", "新能源", "石化", "林业",
)

SURNAMES: tuple[tuple[str, float], ...] = (
    ("黄", 9.0), ("李", 6.5), ("韦", 5.5), ("陈", 5.5), ("梁", 4.0), ("刘", 3.5), ("莫", 3.0),
    ("覃", 3.0), ("蒙", 2.0), ("王", 3.0), ("张", 3.0), ("杨", 2.5), ("罗", 2.5), ("林", 2.0),
    ("何", 2.0), ("周", 1.8), ("吴", 1.8), ("廖", 1.6), ("邓", 1.6), ("谢", 1.4), ("卢", 1.4),
    ("蓝", 1.2), ("潘", 1.2), ("唐", 1.2), ("赵", 1.0), ("农", 1.0), ("陆", 1.0), ("冯", 0.9),
    ("苏", 0.9), ("曾", 0.9), ("钟", 0.8), ("蔡", 0.7), ("许", 0.7), ("庞", 0.6), ("骆", 0.4),
    ("欧阳", 0.2), ("甘", 0.5), ("石", 0.5), ("马", 0.5), ("朱", 0.8),
)
GIVEN_MALE = "伟强军勇杰涛斌波辉刚明磊鹏超俊峰华文建平志宇浩健龙海林亮成宁东锋飞"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪琳颖慧梅兰红英洁萍莉珍秀丹晶倩蓉桂凤"
GIVEN_ANY = "春秋晓嘉子欣思雨佳家俊安永德金振小明新"

INSTITUTION_WORDS = "恒达 华信 技远 众诚 启航 博学 新程 鑫源 创优 南方 邕江 八桂 壮乡 红水河 漓江 北部湾 西江 明德 远航 智信".split()
INSTITUTION_KINDS: tuple[tuple[str, str, float], ...] = (
    ("private_school", "职业技能培训学校", 0.55),
    ("technical_school", "技工学校", 0.20),
    ("vocational_college", "职业技术学院", 0.10),
    ("training_base", "公共实训基地", 0.05),
    ("chain_leader_enterprise", "企业培训中心", 0.06),
    ("labour_brand_enterprise", "劳务品牌培训中心", 0.04),
)
ENTERPRISE_WORDS = "桂冠 东盟 华南 壮锦 海湾 鼎盛 通达 瑞丰 嘉禾 银河 蓝海 金穗 糖都 柳工 玉柴 新材 云网 智造 绿源 万象".split()
ENTERPRISE_SUFFIXES = ("有限公司", "股份有限公司", "科技有限公司", "实业有限公司", "食品有限公司", "制造有限公司")

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "198", "199",
)


@dataclass(frozen=True)
class County:
    """A county code people's ID numbers may carry; historical codes name the years they were issued."""

    code: str
    city_code: str
    successor_code: str  # for a historical code: the current county that took its place ("" = none)
    first_year: int | None  # historical codes: first and last year in use (None = open)
    last_year: int | None

    @property
    def is_current(self) -> bool:
        return not self.successor_code and self.last_year is None


def _years(in_use: str) -> tuple[int | None, int | None]:
    start, _, end = in_use.partition("-")
    return (int(start) if start else None, int(end) if end else None)


@lru_cache(maxsize=1)
def counties() -> tuple[County, ...]:
    """Current counties, then historical codes that have a single successor (others cannot be placed)."""
    result = []
    for record in shipped.counties():
        if record.is_current:
            result.append(County(record.code, record.city_code, "", None, None))
        elif record.successor_code:
            first, last = _years(record.in_use)
            result.append(County(record.code, record.city_code, record.successor_code, first, last))
    return tuple(result)


def current_counties() -> tuple[County, ...]:
    return tuple(county for county in counties() if county.is_current)


@lru_cache(maxsize=1)
def special_ability_items() -> tuple[tuple[str, str], ...]:
    """(code, name) of the catalog's special-ability items."""
    return tuple((item.code, item.name) for item in shipped.special_ability_items())


@lru_cache(maxsize=1)
def parks() -> tuple[tuple[str, str, str, bool], ...]:
    """(code, name, city code, confirmed) of the border/port parks of 4.1 shipped in the catalog."""
    return tuple((p.code, p.name, p.city_code, p.is_confirmed) for p in shipped.industrial_parks())


@lru_cache(maxsize=1)
def ai_occupations() -> tuple[str, ...]:
    """The AI urgent-shortage list (4.2) as the catalog ships it."""
    return tuple(o.code for o in shipped.occupations() if o.is_ai_shortage)


def city_name(code: str) -> str:
    return {c: n for c, n, _ in CITIES}[code]
