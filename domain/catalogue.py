"""The one catalogue of labels and messages, in Chinese (first) and English.

The console, the CSV and .xlsx headers and the API's problem documents all take
their words from here (``domain/locales/<locale>.json``), so a label is changed in
one place. Logic never keys on a translated text: codes in the logic, labels only
where a person reads them. The codes' Chinese labels stay in ``domain.vocabulary``
(they travel beside the codes in every answer); their English labels are here.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from domain.vocabulary import Labelled

ZH = "zh-CN"
EN = "en"
LOCALES = (ZH, EN)
DEFAULT_LOCALE = ZH


@cache
def entries(locale: str) -> dict[str, str]:
    """Every key of ``locale`` to its text (a ``str.format`` template)."""
    raw = resources.files("domain.locales").joinpath(f"{locale}.json").read_text("utf-8")
    found: dict[str, str] = json.loads(raw)
    return found


def text(key: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The text of ``key`` in ``locale`` (else Chinese, else the key), with ``params``."""
    template = entries(locale if locale in LOCALES else DEFAULT_LOCALE).get(key)
    if template is None:
        template = entries(DEFAULT_LOCALE).get(key, key)
    return template.format(**params) if params else template


def label(member: Labelled, locale: str = DEFAULT_LOCALE) -> str:
    """A code's label: the vocabulary's Chinese, or the catalogue's English."""
    if locale == EN:
        return entries(EN).get(f"code.{member.value}", member.value.replace("_", " "))
    return member.label


class Term(str):
    """A word of a message that the catalogue translates (``term.<word>``): the ``worker``
    of "no worker …". In English it is written as it is."""

    __slots__ = ()


def message(key: str, locale: str, params: Mapping[str, Any]) -> str:
    """A refusal's detail (``problem.detail.<key>``) in ``locale``. In English the
    parameters are written as they are (so the detail reads as it always has); in
    Chinese a code is written as its label, a word by the catalogue and a day as
    ``2026年1月1日``."""
    template = text(f"problem.detail.{key}", locale)
    return template.format(**{name: _localized(v, locale) for name, v in params.items()})


def _localized(value: Any, locale: str) -> Any:
    if isinstance(value, tuple | list):
        return text("word.or", locale).join(str(_localized(v, locale)) for v in value)
    if locale == EN:
        shown_en = getattr(value, "shown_en", None)  # a post offered: code and English label
        return shown_en if isinstance(shown_en, str) else value
    if isinstance(value, Labelled):
        return label(value, locale)
    if isinstance(value, Term):
        return text(f"term.{value.replace(' ', '_')}", locale)
    label_zh = getattr(value, "label_zh", None)  # a post as its policy names it
    if isinstance(label_zh, str):
        return label_zh
    if type(value) is date:
        return f"{value.year}年{value.month}月{value.day}日"
    return value


def placeholders(template: str) -> set[str]:
    """The names a template fills (``{grade}``, ``{post.value}`` as ``post``)."""
    return {
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }


def negotiate(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The first of our locales named in an ``Accept-Language`` header, by weight;
    ``default`` when it names none (the API keeps English for callers that ask nothing)."""
    if not accept_language:
        return default
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            quality = 0.0
        weighted.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        if tag.startswith("zh"):
            return ZH
        if tag.startswith("en"):
            return EN
    return default
