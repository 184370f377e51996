"""Pay per month, post, grade and certificate, remembered: ``domain.pay.price`` in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from domain.pay import price
from domain.policy import PolicySchedule
from domain.vocabulary import CertificateLevel, Rating
from projections.models.payroll import month_text
from projections.simulation.months import month_start

FEN = 100


class Priced(NamedTuple):
    """One paid position's pay in a month: what is shown, and the fen that are summed."""

    coefficient: Decimal
    base: Decimal
    allowance: Decimal
    total: Decimal
    city_share: Decimal
    local_share: Decimal
    fen: tuple[int, int, int]  # total, city share, local share
    post_label: str  # the post as the side's policy names it that month


class Pricer:
    """``domain.pay.price`` remembered per month, post, grade and certificate: a district
    has a few hundred distinct ones, against hundreds of thousands of worker-months."""

    def __init__(self, schedule: PolicySchedule) -> None:
        self.schedule = schedule
        self.cache: dict[tuple[int, str, int, CertificateLevel | None, Rating | None], Priced] = {}

    def __call__(
        self,
        month: int,
        post: str,
        grade: int,
        cert: CertificateLevel | None,
        rating: Rating | None = None,
    ) -> Priced:
        """``rating``: the year's appraisal, which only a split pay's performance part reads
        (the caller may pass it always; it is dropped from the key where pay is not split)."""
        key = (month, post, grade, cert, rating)
        found = self.cache.get(key)
        if found is None:
            text = month_text(month)
            # A recorded grade outside a draft's narrower range is paid at the range's end.
            policy = self.schedule.on(month_start(month))
            if rating is not None and policy.pay_split is None:
                found = self(month, post, grade, cert)
                self.cache[key] = found
                return found
            line = price(self.schedule, text, post, policy.clamp(post, grade), cert, rating)
            found = Priced(
                line.coefficient,
                line.base,
                line.allowance,
                line.total,
                line.city_share,
                line.local_share,
                (fen(line.total), fen(line.city_share), fen(line.local_share)),
                policy.post_label(post),
            )
            self.cache[key] = found
        return found


def fen(amount: Decimal) -> int:
    return int(amount * FEN)
