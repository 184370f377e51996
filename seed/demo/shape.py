"""The demo district's shape: its dates, its street offices, the names and the odds drawn from.

The district's shape does not vary with the seed; only the people do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.vocabulary import Education, Gender, Post, Rating, UnitKind

DEFAULT_WORKERS = 3000
DEFAULT_SEED = 2020
FULL_SIZE = 3000  # the worker count the district's full shape is drawn for

DISTRICT_NAME = "包河区"
QUOTA_START = date(2020, 8, 20)  # the first approvals (包编〔2020〕12号), after the policy
QUOTA_DOCUMENT = "包编〔2020〕12号"
REVIEW_DATE = date(2023, 8, 20)  # the three-yearly review
REVIEW_DOCUMENT = "包编〔2023〕9号"
TRANSITION_DATE = date(2020, 9, 1)  # staff in post when the quota system starts
FIRST_APPRAISAL_YEAR = 2021
LAST_APPRAISAL_YEAR = 2025
END_DATE = date(2026, 1, 31)  # the story ends with the 2025 appraisals recorded

# Fallback when the adopted policy gives no quota base (Baohe's bases and coefficients).
BAOHE_BASES = {
    UnitKind.STREET_OFFICE: 75,
    UnitKind.ADMINISTRATIVE_VILLAGE: 12,
    UnitKind.URBAN_COMMUNITY: 16,
    UnitKind.VILLAGE_CONVERTED_COMMUNITY: 20,
}
BAOHE_COEFFICIENTS = {1: 1.2, 2: 1.0, 3: 0.8}


@dataclass(frozen=True)
class StreetPlan:
    """A street office (街道/镇/大社区) and how many communities of each kind it has."""

    name: str
    abbreviation: str
    unit_class: int
    urban: int
    villages: int
    converted: int


# Baohe's 13 street offices (2020). Classes and community counts are chosen so that
# the computed quota (base x class coefficient) comes to the seed's district total, 3007.
STREETS: tuple[StreetPlan, ...] = (
    StreetPlan("芜湖路街道", "芜湖路", 2, 7, 1, 1),
    StreetPlan("望湖街道", "望湖", 1, 8, 1, 2),
    StreetPlan("常青街道", "常青", 2, 7, 1, 2),
    StreetPlan("骆岗街道", "骆岗", 2, 6, 1, 2),
    StreetPlan("同安街道", "同安", 2, 8, 1, 1),
    StreetPlan("烟墩街道", "烟墩", 1, 7, 1, 1),
    StreetPlan("包公街道", "包公", 3, 3, 4, 3),
    StreetPlan("义城街道", "义城", 3, 2, 3, 4),
    StreetPlan("万年埠街道", "万年埠", 2, 4, 3, 4),
    StreetPlan("大圩镇", "大圩", 3, 1, 6, 2),
    StreetPlan("淝河镇", "淝河", 3, 2, 3, 3),
    StreetPlan("滨湖世纪社区(大社区)", "滨湖", 1, 8, 1, 2),
    StreetPlan("方兴社区(大社区)", "方兴", 1, 5, 1, 3),
)

# fmt: off
URBAN_NAMES = (
    "丽水", "翠竹", "春晖", "华山", "绿园", "锦绣", "东方", "明珠", "天鹅湖", "徽州",
    "宁国", "曙光", "青年", "南湖", "金湖", "华府", "紫云", "芙蓉", "桂花园", "滨河",
    "银杏", "丽景", "怡和", "康园", "和平", "红星", "朝阳", "长青", "安居", "乐居",
    "福园", "嘉园", "湖畔", "水岸", "玉兰", "海棠", "梧桐", "蓝天", "晨光", "汇景",
    "御景", "书香", "文华", "明光", "瑞园", "鑫园", "花园", "龙川", "黄山", "九华",
    "庐州", "淮河", "长江", "繁华", "双岗", "美林", "景园", "荣城", "富康", "安和",
    "惠民", "众兴", "润安", "星海", "雨花", "清溪", "凤凰", "百合", "松林", "柏庄",
)
VILLAGE_NAMES = (
    "沿河", "新民", "卫东", "圩西", "高山", "同心", "义兴", "红光", "永和", "联合",
    "胜利", "光明", "先锋", "前进", "新河", "双墩", "马岗", "塘西", "东圩", "杨庄",
    "小王", "张洼", "黄圩", "桥头", "殷桥", "石塘", "长宁", "磨滩", "丰收", "三官",
)
CONVERTED_NAMES = (
    "小刘", "高坝", "陈村", "刘岗", "石门", "葛大店", "王卫", "周谷堆", "卫岗", "大郢",
    "马郢", "曹岗", "牛角", "长林", "平安", "花冲", "朱岗", "晓庄", "郑桥", "徐郢",
    "汪塘", "南淝", "李郢", "荷塘", "桃园", "宋岗", "童店", "方庙", "袁店", "谢岗",
    "姚公", "蔡岗", "骆湾", "岳岗",
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"
    "董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹"
    "孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
FEMALE_CHARS = "丽娟敏静秀英慧巧美娜玉兰芳燕红霞艳婷雪琳晶颖倩洁欣怡佳悦雯璐萍琴梅"
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏飞鑫波宇浩凯健俊峰龙文博立志国建林海"
SHARED_CHARS = "华晨子思雨嘉安宁春阳云"
# Birthplaces: Hefei's districts and counties and a few other Anhui places.
REGION_CODES = (
    "340111", "340111", "340111", "340102", "340103", "340104", "340121", "340122",
    "340123", "340124", "340181", "340202", "340302", "341202", "341302", "341502",
)
# fmt: on
RETIREMENT_AGE = {Gender.MALE: 60, Gender.FEMALE: 55}
NEXT_POST = {
    Post.ASSISTANT: Post.OFFICER,
    Post.OFFICER: Post.DEPUTY_DIRECTOR,
    Post.DEPUTY_DIRECTOR: Post.DIRECTOR,
}

EDUCATION_TRANSITION = {
    Education.BELOW_ASSOCIATE: 18,
    Education.ASSOCIATE: 45,
    Education.BACHELOR: 35,
    Education.MASTER: 2,
}
EDUCATION_OPEN = {Education.ASSOCIATE: 20, Education.BACHELOR: 70, Education.MASTER: 10}
EDUCATION_DISPATCH = {
    Education.BELOW_ASSOCIATE: 20,
    Education.ASSOCIATE: 55,
    Education.BACHELOR: 25,
}
EDUCATION_UPGRADES = {
    Education.BELOW_ASSOCIATE: (Education.ASSOCIATE, 0.04),
    Education.ASSOCIATE: (Education.BACHELOR, 0.04),
    Education.BACHELOR: (Education.MASTER, 0.004),
}
TEMPERAMENTS = {"steady": 80, "strong": 12, "shaky": 8}
RATINGS: dict[str, dict[Rating, float]] = {
    "steady": {
        Rating.EXCELLENT: 10,
        Rating.COMPETENT: 86,
        Rating.BASICALLY_COMPETENT: 3.5,
        Rating.UNQUALIFIED: 0.5,
    },
    "strong": {Rating.EXCELLENT: 45, Rating.COMPETENT: 55},
    "shaky": {
        Rating.EXCELLENT: 1,
        Rating.COMPETENT: 67,
        Rating.BASICALLY_COMPETENT: 24,
        Rating.UNQUALIFIED: 8,
    },
}
