"""The posts a report shows: those of the policy version in force on the report's date.

The read models hold post codes (a period holds the post of the version in force over it,
mapped from the version's date); what a code reads as, and which codes a report has
columns for, come from the policy schedule, which every query that shows a post must be
given (a default would label another policy's posts as bare codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.catalogue import ZH
from domain.policy import Policy, PolicySchedule
from domain.posts import PostDef


@dataclass(frozen=True)
class Posts:
    """The posts of one version, in one language: codes top first, and labels."""

    defs: tuple[PostDef, ...]
    locale: str
    schedule: PolicySchedule
    policy: Policy  # the version itself: a dropped code reads as its mapped post

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.defs)

    def labels(self) -> dict[str, str]:
        return {p.code: p.label(self.locale) for p in self.defs}

    def label(self, code: str) -> str:
        """``code``'s label under this version; a code it does not define (a worker not
        yet hired, shown in the post of their first day) by the latest version that
        does, else the code itself."""
        for post in self.defs:
            if post.code == code:
                return post.label(self.locale)
        if self.policy.post_of(code) != code:
            return self.policy.post_label(code, self.locale)
        for version in reversed(self.schedule.versions):
            if code in version.policy.post_codes:
                return version.policy.post_label(code, self.locale)
        return code


def posts_on(schedule: PolicySchedule, day: date, locale: str = ZH) -> Posts:
    """The posts of the version in force on ``day``."""
    policy = schedule.on(day)
    return Posts(policy.posts, locale, schedule, policy)
