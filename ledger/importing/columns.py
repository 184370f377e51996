"""The two sheets of an import file, their columns and which columns each fact takes.

A header cell may be the English code (``rating``), the Chinese title (``考核等次``)
or both as the template writes them (``考核等次 rating``). Values of coded columns
are read by :mod:`ledger.importing.cells` against domain/vocabulary.py; a post against
the policy version in force on the row's date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain import limits
from domain.posts import MAX_LABEL
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    Education,
    FactType,
    Gender,
    Rating,
    UnitKind,
)
from ledger.importing import cells
from ledger.importing.cells import Parser


class SheetKind(StrEnum):
    UNITS = "units"
    WORKERS = "workers"


SHEET_TITLES = {SheetKind.UNITS: "单位 units", SheetKind.WORKERS: "人员履历 workers"}


@dataclass(frozen=True)
class Column:
    code: str
    title: str
    parse: Parser

    @property
    def header(self) -> str:
        """As the template writes it: the Chinese title, then the code."""
        return f"{self.title} {self.code}"


KEY = cells.text(
    limits.KEY_MAX_LENGTH, expected=f"a key of at most {limits.KEY_MAX_LENGTH} characters"
)
NAME = cells.text(limits.NAME_MAX_LENGTH)
NOTE = cells.text(limits.NOTE_MAX_LENGTH)
YEAR = cells.whole(limits.FIRST_YEAR, limits.LAST_YEAR, "a year")
DOCUMENT_REF = cells.text(limits.DOCUMENT_REF_MAX_LENGTH)
SERVICE_YEARS = cells.whole(0, limits.SERVICE_YEARS_MAX, "years")
HEADCOUNT = cells.whole(0, limits.HEADCOUNT_MAX, "a headcount")

UNIT_COLUMNS = (
    Column("unit_key", "单位编号", KEY),
    Column("name", "单位名称", NAME),
    Column("kind", "单位类型", cells.coded(UnitKind)),
    Column("parent_key", "上级单位编号", KEY),
    Column("class", "类别", cells.whole(1, 3, "a class")),
    Column("households", "户数", cells.whole(0, limits.POPULATION_MAX)),
    Column("population", "人口", cells.whole(0, limits.POPULATION_MAX)),
    Column("grids", "网格数", cells.whole(0, limits.HEADCOUNT_MAX, "a number of grids")),
    # With a date, the row's households, grids and population are counts recorded from
    # it (what the policy's quota formula reads); without, they describe the unit as
    # registered.
    Column("counts_date", "统计日期", cells.day()),
    Column("quota", "核定员额", cells.whole(0, limits.HEADCOUNT_MAX, "a quota")),
    Column("quota_effective_date", "员额生效日期", cells.day()),
    Column("document_ref", "批准文号", DOCUMENT_REF),
    Column("dispatch_year", "派遣人数年度", YEAR),
    Column("dispatch_headcount", "劳务派遣人数", HEADCOUNT),
    Column("note", "备注", NOTE),
)

# ``reason`` is read per fact (a free text for a correction, a code otherwise).
WORKER_COLUMNS = (
    Column("worker_key", "人员编号", KEY),
    Column("fact", "事项", cells.coded(FactType)),
    Column("effective_date", "生效日期", cells.day()),
    Column("name", "姓名", NAME),
    Column("gender", "性别", cells.coded(Gender)),
    Column("birth_date", "出生日期", cells.day(limits.FIRST_BIRTH_YEAR)),
    Column("id_number", "身份证号", cells.id_number),
    Column("education", "学历", cells.coded(Education)),
    Column("unit_key", "单位编号", KEY),
    # Read against the posts of the policy in force on the row's date (rows.py).
    Column("post", "岗位", cells.text(MAX_LABEL, expected="a post's code or Chinese label")),
    Column("grade", "等级", cells.whole(-100, 100, "a grade")),
    Column("channel", "进入方式", cells.coded(Channel)),
    Column("prior_service_years", "此前社区工作年限", SERVICE_YEARS),
    Column("dispatch_service_years", "劳务派遣工作年限", SERVICE_YEARS),
    Column("year", "考核年度", YEAR),
    Column("rating", "考核等次", cells.coded(Rating)),
    Column("certificate", "证书等级", cells.coded(CertificateLevel)),
    Column("reason", "原因", cells.text(limits.REASON_MAX_LENGTH)),
    Column("document_ref", "文号", DOCUMENT_REF),
    Column("note", "备注", NOTE),
)

COLUMNS = {SheetKind.UNITS: UNIT_COLUMNS, SheetKind.WORKERS: WORKER_COLUMNS}
# The column that tells a sheet's kind: a sheet with neither is not an import sheet.
KEY_COLUMN = {SheetKind.UNITS: "unit_key", SheetKind.WORKERS: "worker_key"}
REQUIRED = {SheetKind.UNITS: ("unit_key",), SheetKind.WORKERS: ("worker_key", "fact")}

_COMMON = frozenset({"worker_key", "fact", "name", "note"})
# Per fact: (required columns, optional columns). ``name`` on any row is a cross-check.
FACT_COLUMNS: Mapping[FactType, tuple[frozenset[str], frozenset[str]]] = {
    FactType.HIRE: (
        frozenset(
            {"effective_date", "name", "gender", "birth_date", "education", "unit_key", "post"}
            | {"channel"}
        ),
        frozenset({"id_number", "grade", "prior_service_years", "dispatch_service_years"}),
    ),
    FactType.APPRAISAL: (
        frozenset({"year", "rating"}),
        frozenset({"effective_date", "document_ref"}),
    ),
    FactType.APPRAISAL_CORRECTION: (
        frozenset({"year", "rating", "reason"}),
        frozenset({"effective_date"}),
    ),
    FactType.GRADE_CHANGE: (frozenset({"effective_date", "grade", "reason"}), frozenset()),
    FactType.GRADE_STEP: (frozenset({"effective_date"}), frozenset()),
    FactType.POST_CHANGE: (frozenset({"effective_date", "post", "reason"}), frozenset()),
    FactType.TRANSFER: (frozenset({"effective_date", "unit_key"}), frozenset()),
    FactType.EDUCATION_UPGRADE: (frozenset({"effective_date", "education"}), frozenset()),
    FactType.CERTIFICATE: (frozenset({"effective_date", "certificate"}), frozenset()),
    FactType.DISMISSAL: (
        frozenset({"effective_date", "reason"}),
        frozenset({"document_ref"}),
    ),
}


def allowed(fact: FactType) -> frozenset[str]:
    required, optional = FACT_COLUMNS[fact]
    return required | optional | _COMMON


_BILINGUAL = re.compile(r"^(.*?)[\s(（]+([a-z_]+)[)）]?$")


def match_header(cell: Any, columns: Iterable[Column]) -> Column | None:
    """The column a header cell names: its code, its title, or both."""
    if not isinstance(cell, str):
        return None
    found = cell.strip().lstrip("\ufeff")  # a BOM read as text by --encoding utf-8
    candidates = [found, found.lower()]
    if match := _BILINGUAL.match(found):
        candidates += [match.group(1).strip(), match.group(2)]
    for column in columns:
        if column.code in candidates or column.title in candidates:
            return column
    return None


def sheet_kind(header: Iterable[Any]) -> SheetKind | None:
    """Which import sheet a header row belongs to: the one whose key column it names."""
    cells_ = list(header)
    # Workers first: a workers sheet also has a unit key column (the hire's unit).
    for kind in (SheetKind.WORKERS, SheetKind.UNITS):
        key = next(c for c in COLUMNS[kind] if c.code == KEY_COLUMN[kind])
        if any(match_header(cell, [key]) for cell in cells_):
            return kind
    return None
