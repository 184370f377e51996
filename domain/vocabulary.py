"""The ledger's controlled vocabulary: English codes with their Chinese labels."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Self


class Labelled(StrEnum):
    """A code whose Chinese label travels beside it in every response."""

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value)

    @classmethod
    def from_text(cls, text: str) -> Self:
        """The member written as its code or its Chinese label (a spreadsheet's cell).

        Raises ValueError naming what was written.
        """
        wanted = text.strip()
        texts = _texts(cls)
        code = texts.get(wanted) or texts.get(wanted.lower()) or _aliases(cls).get(wanted)
        if code is None:
            raise ValueError(f"{text!r} is not a {cls.__name__}")
        return cls(code)


@cache
def _texts(enum: type[Labelled]) -> dict[str, str]:
    """Each member's label and code, to its code: an import reads thousands of cells."""
    return {text: m.value for m in enum for text in (m.value, m.label)}


@cache
def _aliases(enum: type[Labelled]) -> dict[str, str]:
    """Other spellings a file may use for a member, to its code: a step written with
    its interval (三年晋档, 两年晋档) is a ``grade_step``."""
    codes = {m.value for m in enum}
    if "grade_step" not in codes:
        return {}
    return {step_rule_label(years): "grade_step" for years in range(1, MAX_NAMED_INTERVAL + 1)}


_DIGITS = "零一二三四五六七八九"
MAX_NAMED_INTERVAL = 10  # the spellings read back from a file; any interval gets a label


def chinese_count(n: int) -> str:
    """A count of years as Chinese writes it before a measure: 两 for 2, 十二 for 12."""
    if n == 2:
        return "两"
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    if n < 100:
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def step_rule_label(interval_years: int) -> str:
    """The Chinese name of a step rule by its interval: 三年晋档, 两年晋档."""
    return f"{chinese_count(interval_years)}年晋档"


class Post(Labelled):
    DIRECTOR = "director"
    DEPUTY_DIRECTOR = "deputy_director"
    OFFICER = "officer"
    ASSISTANT = "assistant"


class Rating(Labelled):
    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASICALLY_COMPETENT = "basically_competent"
    UNQUALIFIED = "unqualified"

    @property
    def qualifies_for_step(self) -> bool:
        return self in _QUALIFYING


# Looked up once: the step clock asks this of every appraisal of every career it replays.
_QUALIFYING = frozenset((Rating.EXCELLENT, Rating.COMPETENT))


class Education(Labelled):
    BELOW_ASSOCIATE = "below_associate"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"

    @property
    def rank(self) -> int:
        return _EDUCATION_RANKS[self]


class Channel(Labelled):
    OPEN_RECRUITMENT = "open_recruitment"
    TRANSITION = "transition"
    DISPATCH_CONVERSION = "dispatch_conversion"


class Gender(Labelled):
    FEMALE = "female"
    MALE = "male"


class CertificateLevel(Labelled):
    ASSISTANT_SOCIAL_WORKER = "assistant_social_worker"
    SOCIAL_WORKER = "social_worker"
    SENIOR_SOCIAL_WORKER = "senior_social_worker"

    @property
    def rank(self) -> int:
        return _CERTIFICATE_RANKS[self]


# A member's place in its declaration order, looked up: a certificate's rank is read for
# every paid stretch of every career a simulation derives, and listing the enum is slow.
_EDUCATION_RANKS = {level: n for n, level in enumerate(Education)}
_CERTIFICATE_RANKS = {level: n for n, level in enumerate(CertificateLevel)}


class UnitKind(Labelled):
    DISTRICT = "district"
    STREET_OFFICE = "street_office"
    URBAN_COMMUNITY = "urban_community"
    ADMINISTRATIVE_VILLAGE = "administrative_village"
    VILLAGE_CONVERTED_COMMUNITY = "village_converted_community"


class DismissalReason(Labelled):
    TWO_CONSECUTIVE_UNQUALIFIED = "two_consecutive_unqualified"
    RESIGNATION = "resignation"
    CONTRACT_EXPIRY = "contract_expiry"
    RETIREMENT = "retirement"
    OTHER = "other"


class GradeChangeReason(Labelled):
    """Reasons a person may give; the ledger itself records the derived ones."""

    CORRECTION = "correction"
    REWARD = "reward"
    DISCIPLINE = "discipline"
    OTHER = "other"
    # The ledger's step rule, named by its interval (``interval_years`` beside it).
    GRADE_STEP = "grade_step"
    # The step rule's code before it was named by its interval (GradeStepped version 2
    # and earlier, upcast to ``grade_step``); still reserved, so still refused from a person.
    THREE_YEAR_STEP = "three_year_step"
    EDUCATION_UPGRADE = "education_upgrade"


PERSON_GRADE_CHANGE_REASONS = frozenset(
    {
        GradeChangeReason.CORRECTION,
        GradeChangeReason.REWARD,
        GradeChangeReason.DISCIPLINE,
        GradeChangeReason.OTHER,
    }
)


class PostChangeReason(Labelled):
    PROMOTION = "promotion"
    DEMOTION = "demotion"
    ELECTION = "election"
    REASSIGNMENT = "reassignment"
    OTHER = "other"


class FactType(Labelled):
    """The kinds of fact an import file's workers sheet records, one per row."""

    HIRE = "hire"
    APPRAISAL = "appraisal"
    APPRAISAL_CORRECTION = "appraisal_correction"
    GRADE_CHANGE = "grade_change"
    GRADE_STEP = "grade_step"
    POST_CHANGE = "post_change"
    TRANSFER = "transfer"
    EDUCATION_UPGRADE = "education_upgrade"
    CERTIFICATE = "certificate"
    DISMISSAL = "dismissal"


class WorkerStatus(Labelled):
    ACTIVE = "active"
    DISMISSED = "dismissed"
    NOT_YET_HIRED = "not_yet_hired"


class Role(Labelled):
    ADMIN = "admin"
    CLERK = "clerk"
    AUDITOR = "auditor"
    REPORTER = "reporter"


_LABELS = {
    "director": "主管",
    "deputy_director": "副主管",
    "officer": "主办",
    "assistant": "助理",
    "excellent": "优秀",
    "competent": "称职",
    "basically_competent": "基本称职",
    "unqualified": "不称职",
    "below_associate": "高中及以下",
    "associate": "大专",
    "bachelor": "本科",
    "master": "硕士",
    "doctorate": "博士",
    "open_recruitment": "公开招聘",
    "transition": "老人老办法",
    "dispatch_conversion": "劳务派遣转岗",
    "female": "女",
    "male": "男",
    "assistant_social_worker": "助理社会工作师",
    "social_worker": "社会工作师",
    "senior_social_worker": "高级社会工作师",
    "district": "区",
    "street_office": "街道(镇、大社区)机关",
    "urban_community": "城市社区",
    "administrative_village": "行政村",
    "village_converted_community": "村改社区",
    "two_consecutive_unqualified": "连续两年不称职",
    "resignation": "辞职",
    "contract_expiry": "合同期满",
    "retirement": "退休",
    "other": "其他",
    "correction": "更正",
    "reward": "奖励",
    "discipline": "处分",
    "three_year_step": "三年晋档",
    "education_upgrade": "学历提升",
    "promotion": "晋升",
    "demotion": "降职",
    "election": "选举",
    "reassignment": "调整",
    "hire": "入职",
    "appraisal": "年度考核",
    "appraisal_correction": "考核更正",
    "grade_change": "等级调整",
    "grade_step": "晋档",
    "post_change": "岗位变动",
    "transfer": "调动",
    "certificate": "取得证书",
    "dismissal": "解聘",
    "active": "在岗",
    "dismissed": "已解聘",
    "not_yet_hired": "尚未入职",
    "admin": "管理员",
    "clerk": "经办人",
    "auditor": "审计",
    "reporter": "报表",
}
