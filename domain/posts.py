"""Posts as a policy defines them: codes, labels, their order, and what becomes of a post
another version drops.

A policy lists its posts top first (``parameters.posts``); a document written before posts
were a parameter has the four of 四岗十八级 (``DEFAULT_POSTS``). A version that drops a post
maps its code to one of its own (``post_mapping``, recorded with the adoption): facts keep
the code they were recorded with, and from the version's date on the worker holds the post
the code maps to (``Policy.post_of``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

from domain.errors import PolicyProblem
from domain.values import Immutable
from domain.vocabulary import Post

# A code is what files, URLs and events carry: short, lower case, no spaces.
POST_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_POSTS = 20
MAX_LABEL = 40


@dataclass(frozen=True)
class PostDef(Immutable):
    """One post of a policy: its code and its labels in Chinese and English."""

    code: str
    label_zh: str
    label_en: str

    def label(self, locale: str = "zh-CN") -> str:
        return self.label_en if locale == "en" else self.label_zh


def _default_posts() -> tuple[PostDef, ...]:
    english = {
        Post.DIRECTOR: "Director",
        Post.DEPUTY_DIRECTOR: "Deputy director",
        Post.OFFICER: "Officer",
        Post.ASSISTANT: "Assistant",
    }
    return tuple(PostDef(p.value, p.label, english[p]) for p in Post)


DEFAULT_POSTS = _default_posts()


class PostName(str):
    """A post's code in a message, with its labels: a refusal reads 社区正职 in Chinese and
    the code in English (see ``domain.catalogue.message``)."""

    __slots__ = ("label_zh",)
    label_zh: str

    def __new__(cls, post: PostDef) -> Self:
        made = super().__new__(cls, post.code)
        made.label_zh = post.label_zh
        return made


class PostChoice(PostName):
    """A post in the list of those there are (a refusal of an unknown post): 社区正职 in
    Chinese; in English its code with its English label, ``head (Community head)``, so the
    reader learns both the word and what to write (see ``domain.catalogue._localized``)."""

    __slots__ = ("shown_en",)
    shown_en: str

    def __new__(cls, post: PostDef) -> Self:
        made = super().__new__(cls, post)
        made.shown_en = f"{post.code} ({post.label_en})"
        return made


def read_posts(raw: object, problem: list[PolicyProblem]) -> tuple[PostDef, ...]:
    """``parameters.posts.value``: a list of ``{"code", "label_zh", "label_en"}``, top first.
    Problems are appended to ``problem``; what could be read is returned."""
    where = "parameters.posts"
    if not isinstance(raw, list) or not raw or len(raw) > MAX_POSTS:
        problem.append(PolicyProblem("posts_list", where, most=MAX_POSTS))
        return ()
    posts: list[PostDef] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"code", "label_zh", "label_en"}:
            problem.append(PolicyProblem("post_entry", at))
            continue
        code, zh, en = item["code"], item["label_zh"], item["label_en"]
        if not isinstance(code, str) or not POST_CODE.match(code):
            problem.append(PolicyProblem("post_code", f"{at}.code"))
            continue
        if not all(isinstance(t, str) and 0 < len(t.strip()) <= MAX_LABEL for t in (zh, en)):
            problem.append(PolicyProblem("post_label", at, most=MAX_LABEL))
            continue
        if code in seen:
            problem.append(
                PolicyProblem("post_repeated", f"{at}.code", code=code, first=seen[code])
            )
            continue
        seen[code] = index
        posts.append(PostDef(code, zh.strip(), en.strip()))
    labels = [p.label_zh for p in posts]
    for post in posts:
        if labels.count(post.label_zh) > 1:
            problem.append(PolicyProblem("post_label_repeated", where, label=post.label_zh))
            break
    return tuple(posts)


def read_mapping(
    raw: object, posts: Sequence[PostDef], problem: list[PolicyProblem]
) -> dict[str, str]:
    """The document's ``post_mapping``: old code to a code of this document's posts."""
    if raw is None:
        return {}
    own = {p.code for p in posts}
    if not isinstance(raw, Mapping):
        problem.append(PolicyProblem("not_an_object", "post_mapping"))
        return {}
    mapping: dict[str, str] = {}
    for old, new in raw.items():
        if not isinstance(old, str) or not POST_CODE.match(old):
            problem.append(PolicyProblem("post_code", f"post_mapping.{old}"))
        elif old in own:
            problem.append(PolicyProblem("mapping_keeps_post", f"post_mapping.{old}", code=old))
        elif new not in own:
            problem.append(
                PolicyProblem("mapping_target", f"post_mapping.{old}", posts=sorted(own))
            )
        else:
            mapping[old] = new
    return mapping


def carried_aliases(
    known: Mapping[str, str],
    posts: Iterable[str],
    mapping: Mapping[str, str],
    problems: list[PolicyProblem] | None,
) -> dict[str, str]:
    """Every code facts may carry that is not one of ``posts``, to the post it now means.

    ``known``: each code recorded under earlier versions to the post it meant under the
    latest of them (a post to itself). A code this version still defines stays itself; one
    it drops goes where ``mapping`` sends it (named by the code or by the post it meant),
    else where it went before if that post remains. What is still unplaced is a problem
    (``problems`` given) or left out (reading a version accepted before: never refuse it).
    """
    own = set(posts)
    aliases: dict[str, str] = {}
    unplaced: list[str] = []
    for code, meant in known.items():
        if code in own:
            continue
        target = mapping.get(code) or mapping.get(meant) or (meant if meant in own else None)
        if target is None:
            unplaced.append(meant)
        else:
            aliases[code] = target
    if problems is not None:
        for code in sorted(set(unplaced)):
            problems.append(PolicyProblem("post_dropped", "post_mapping", code=code))
        for code in mapping:
            if code not in known:
                problems.append(PolicyProblem("mapping_unknown", f"post_mapping.{code}", code=code))
    return aliases
