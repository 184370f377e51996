"""The one catalogue holds every refusal's words in both languages, and each message's
placeholders are those its raise sites give."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import catalogue, errors
from domain.catalogue import EN, LOCALES, ZH

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "ledger", "projections", "api", "console")


def every_error() -> Iterator[type[errors.LedgerError]]:
    pending: list[type[errors.LedgerError]] = [errors.LedgerError]
    while pending:
        cls = pending.pop()
        yield cls
        pending.extend(cls.__subclasses__())


def detail_keys() -> list[str]:
    prefix = "problem.detail."
    return sorted(k.removeprefix(prefix) for k in catalogue.entries(EN) if k.startswith(prefix))


def raise_sites() -> Iterator[tuple[str, str, set[str]]]:
    """Each ``X.because("key", name=…)`` of the code: where, the key and the names."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "because"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    names = {k.arg for k in node.keywords if k.arg and k.arg != "field"}
                    if any(k.arg is None for k in node.keywords):  # **spread: see below
                        names.add("**")
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0].value, names


@pytest.mark.parametrize("cls", list(every_error()), ids=lambda c: c.__name__)
def test_every_refusal_has_a_title_in_both_languages(cls: type[errors.LedgerError]) -> None:
    for locale in LOCALES:
        assert f"problem.{cls.code}.title" in catalogue.entries(locale), (cls, locale)
    assert catalogue.text(f"problem.{cls.code}.title", EN) == cls.title
    assert catalogue.text(f"problem.{cls.code}.title", ZH) != cls.title


def test_both_languages_have_the_same_messages_with_the_same_placeholders() -> None:
    english = {k for k in catalogue.entries(EN) if k.startswith(("problem.", "validation."))}
    chinese = {k for k in catalogue.entries(ZH) if k.startswith(("problem.", "validation."))}
    assert english == chinese
    for key in sorted(english):
        assert catalogue.placeholders(catalogue.entries(EN)[key]) == catalogue.placeholders(
            catalogue.entries(ZH)[key]
        ), key


def test_each_raise_site_gives_exactly_its_messages_placeholders() -> None:
    sites = list(raise_sites())
    assert len(sites) > 60
    for where, key, names in sites:
        assert f"problem.detail.{key}" in catalogue.entries(EN), where
        wanted = catalogue.placeholders(catalogue.text(f"problem.detail.{key}", EN))
        if "**" in names:  # the timeline's fact and its date, spread from _describe
            names = (names - {"**"}) | {"fact", "on"}
        assert names == wanted, (where, key)


def test_every_message_is_used_somewhere() -> None:
    used = {key for _, key, _ in raise_sites()}
    source = "\n".join(
        p.read_text("utf-8") for package in PACKAGES for p in (ROOT / package).rglob("*.py")
    )
    for key in detail_keys():
        if key.startswith(("http_", "password_")):  # f"http_{status}", f"password_{reason}"
            continue
        assert key in used or f'"{key}"' in source or f"detail.{key}" in source, key
