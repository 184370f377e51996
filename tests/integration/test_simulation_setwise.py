"""A pay-only draft priced set-wise from the stored careers answers exactly what replaying
the history answers: the same JSON, page by page, and the same differing workers.

Each comparison runs both paths on the same ledger: ``simulate`` without the read models
replays the events (the reference), with them it prices the stored careers. Generated
histories, for every shipped policy pack, on every store; drafts made by hypothesis from
random wage, base, coefficient, allowance and share changes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.policy import load_document, shipped_packs
from domain.vocabulary import Post, Rating
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections.projector import Projector
from projections.simulation import Draft, Outcome, draft_schedule, report, simulate, spool_folder
from projections.simulation.draft import pay_only
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration.application_support import (
    appraise,
    approve,
    as_,
    build_tree,
    hire,
    worker_id,
)
from tests.stores import STORES, store_url
from tests.unit.builders import adoptable_over_default

FROM, TO = "2016-01", "2022-12"
# Every pack but the first is adopted over a history generated under the first (the
# generator hires as the first allows) from this date on.
FIRST_PACK, ADOPTED_ON = "baohe-2020", date(2021, 1, 1)


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=sorted(shipped_packs()))
def history(
    request: pytest.FixtureRequest, store_kind: str, tmp_path: Path
) -> Iterator[tuple[Ledger, ReadStore, str]]:
    """A generated history under a shipped pack, its read models projected."""
    with store_url(store_kind, tmp_path) as url:
        ledger = Ledger(env=store_environment(url))
        ledger.bootstrap(FIRST_PACK)
        generate(ledger, workers=30, years=7, seed=11)
        if request.param != FIRST_PACK:
            ledger.adopt_policy(
                as_(), adoptable_over_default(request.param), ADOPTED_ON, "ref-2021"
            )
        store = ReadStore(url)
        try:
            _project(ledger, store)
            yield ledger, store, request.param
        finally:
            store.close()
            ledger.close()


def _project(ledger: Ledger, store: ReadStore) -> None:
    projector = Projector(ledger, store)
    if not projector.position():
        projector.rebuild(processes=1)
    projector.catch_up()


def _draft(pack: str, change: Any = None) -> Draft:
    """The pack changed by ``change``, in force from the start (the first pack) or from
    the date it was adopted on, or later."""
    document = copy.deepcopy(load_document(pack))
    document.pop("effective_from", None)
    if change:
        change(document)
    if pack != FIRST_PACK:
        since = date.fromisoformat(document.get("effective_from", "0001-01-01"))
        document["effective_from"] = max(since, ADOPTED_ON).isoformat()
    return Draft.from_document(document)


def _answers(
    ledger: Ledger,
    store: ReadStore | None,
    chosen: Draft,
    *,
    limit: int = 7,
    path: Callable[[Outcome], bool] = lambda outcome: outcome.setwise,
    **options: Any,
) -> tuple[set[bool], list[dict[str, Any]], list[dict[str, Any]]]:
    """Which paths answered (``path`` of each outcome: set-wise, or from the career facts),
    every page of the answer as JSON, and every differing worker as the CLI reads them."""
    pages: list[dict[str, Any]] = []
    paths: set[bool] = set()
    after = None
    while True:
        outcome = simulate(
            ledger, chosen, FROM, TO, after=after, limit=limit, store=store, **options
        )
        paths.add(path(outcome))
        pages.append(_json(outcome, chosen))
        if outcome.next_cursor is None:
            break
        after = outcome.next_cursor
    folder = spool_folder()
    try:
        every = simulate(
            ledger, chosen, FROM, TO, spool_dir=Path(folder.name), store=store, **options
        )
        paths.add(path(every))
        workers = [report.worker(found) for found in every.workers()]
        workers += [report.csv_row(found) for found in every.workers()]
    finally:
        folder.cleanup()
    return paths, pages, workers


def _json(outcome: Outcome, chosen: Draft) -> dict[str, Any]:
    answer = {
        **report.summary(outcome, chosen.describe()),
        "items": [report.worker(found) for found in outcome.items],
        "next_cursor": outcome.next_cursor,
    }
    return json.loads(json.dumps(answer))  # exactly what the API sends


def _agree(ledger: Ledger, store: ReadStore, chosen: Draft, **options: Any) -> Any:
    fast, fast_pages, fast_workers = _answers(ledger, store, chosen, **options)
    slow, slow_pages, slow_workers = _answers(ledger, None, chosen, **options)
    adopted = ledger.schedule()
    drafted = draft_schedule(adopted, chosen.policy, chosen.effective)
    # A split pay is paid by each year's rating, which the stored stretches lack: replayed.
    splits = any(v.policy.pay_split for v in (*adopted.versions, *drafted.versions))
    assert fast == {not splits} and slow == {False}, "set-wise answers a pay-only draft"
    assert fast_pages == slow_pages
    assert fast_workers == slow_workers
    return fast_pages


# -- drafts ------------------------------------------------------------------------------------
def _wage(document: dict[str, Any]) -> None:
    """A higher wage from 2021 on (a fixed base: a raise from July 2021)."""
    params = document["parameters"]
    if "average_wages" in params:
        params["average_wages"]["value"] = {"2019": "39300", "2020": "45500"}
    else:
        params["fixed_base_pay"]["value"] = {"2016-01-01": "3900.00", "2021-07-01": "4100.00"}


def test_a_pay_only_draft_priced_set_wise_answers_what_the_replay_answers(
    history: tuple[Ledger, ReadStore, str],
) -> None:
    ledger, store, pack = history
    pages = _agree(ledger, store, _draft(pack, _wage))
    assert pages[0]["totals"]["workers_affected"] > 0
    assert sum(len(page["items"]) for page in pages) == pages[0]["totals"]["workers_affected"]


def test_the_pack_itself_priced_set_wise_differs_nowhere(
    history: tuple[Ledger, ReadStore, str],
) -> None:
    ledger, store, pack = history
    pages = _agree(ledger, store, _draft(pack))
    assert pages[0]["totals"]["workers_affected"] == 0
    assert pages[0]["totals"]["workers_compared"] > 0


# Random pay changes: a wage or fixed base, the wage share, one post's coefficients scaled,
# the allowances, a post's city share, and the date the draft is in force from.
_shares = st.decimals(Decimal("0.50"), Decimal("1.00"), places=2)
_changes = st.fixed_dictionaries(
    {
        "wage": st.integers(30_000, 60_000),
        "wage_share": st.sampled_from(["0.8", "0.85", "0.75"]),
        "scale": st.decimals(Decimal("0.9"), Decimal("1.2"), places=2),
        "post": st.sampled_from(["director", "deputy_director", "officer", "assistant"]),
        "grade_only": st.one_of(st.none(), st.integers(1, 18)),
        "allowance": st.integers(0, 500),
        "share": _shares,
        "effective_from": st.one_of(st.none(), st.dates(date(2016, 1, 1), date(2022, 12, 31))),
        "base_from": st.dates(date(2016, 1, 2), date(2022, 12, 31)),
        "split": st.one_of(st.none(), _shares),
    }
)


def _random(change: dict[str, Any]) -> Any:
    def apply(document: dict[str, Any]) -> None:
        params = document["parameters"]
        if "average_wages" in params:
            params["average_wages"]["value"] = {"2018": str(change["wage"])}
            params["base_pay_wage_share"]["value"] = change["wage_share"]
        else:
            base = f"{change['wage'] / 12:.2f}"
            params["fixed_base_pay"]["value"] = {
                "2016-01-01": "3500.00",
                change["base_from"].isoformat(): base,
            }
        table = params["pay_coefficients"]["value"]
        post = change["post"] if change["post"] in table else sorted(table)[0]
        for grade, value in table[post].items():
            if change["grade_only"] is None or int(grade) == change["grade_only"]:
                table[post][grade] = str(
                    (Decimal(value) * change["scale"]).quantize(Decimal("0.0001"))
                )
        allowances = params.get("certificate_allowances", {}).get("value", {})
        for level in allowances:
            allowances[level] = str(change["allowance"])
            break
        shares = params["city_funding_shares"]["value"]
        shares[sorted(shares)[0]] = str(change["share"])
        if change["split"] is not None:
            params["pay_split"] = {
                "value": {
                    "basic_share": str(change["split"]),
                    "performance_paid": {
                        "excellent": "1",
                        "competent": "1",
                        "basically_competent": "0.5",
                        "unqualified": "0",
                    },
                    "unrated_paid": "1",
                },
                "source": "default",
            }
        if change["effective_from"] is not None:
            document["effective_from"] = change["effective_from"].isoformat()

    return apply


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(change=_changes)
def test_random_pay_changes_priced_set_wise_answer_what_the_replay_answers(
    history: tuple[Ledger, ReadStore, str], change: dict[str, Any]
) -> None:
    ledger, store, pack = history
    chosen = _draft(pack, _random(change))
    adopted = ledger.schedule()
    drafted = draft_schedule(adopted, chosen.policy, chosen.effective)
    splits = any(v.policy.pay_split for v in (*adopted.versions, *drafted.versions))
    assert pay_only(adopted, drafted) is not splits
    _agree(ledger, store, chosen, limit=5)


# -- when the set-wise path answers ------------------------------------------------------------
@pytest.fixture
def small(store: str) -> Iterator[tuple[Ledger, ReadStore]]:
    ledger = Ledger(env=store_environment(store))
    ledger.bootstrap("baohe-2020")
    read = ReadStore(store)
    try:
        yield ledger, read
    finally:
        read.close()
        ledger.close()


def test_a_step_due_but_not_recorded_is_paid_on_both_paths(
    small: tuple[Ledger, ReadStore],
) -> None:
    """The simulation applies every due step on its date; the recorded pay periods lack a
    step nobody recorded yet, so pricing them would pay this worker a grade too low."""
    ledger, store = small
    tree = build_tree(ledger, quotas={"community_a": 5})
    approve(ledger, tree.community_a, 5, on=date(2016, 1, 1))
    worker = worker_id(hire(ledger, tree.community_a, hire_date=date(2016, 3, 1)))
    for year in (2016, 2017, 2018):
        appraise(ledger, worker, year, Rating.COMPETENT)  # a step due 2019-01-01, not applied
    _project(ledger, store)
    recorded = store.query("SELECT grade FROM rm_pay_periods WHERE worker_id = %s", [str(worker)])
    assert {grade for (grade,) in recorded} == {1}

    def wage(document: dict[str, Any]) -> None:
        document["parameters"]["average_wages"]["value"] = {"2019": "44000"}

    pages = _agree(ledger, store, _draft("baohe-2020", wage))
    grades = {line["adopted"]["grade"] for line in pages[0]["items"][0]["months"]}
    assert grades == {1, 2}


def test_a_draft_that_changes_careers_is_replayed(small: tuple[Ledger, ReadStore]) -> None:
    ledger, store = small
    generate(ledger, workers=10, years=4, seed=3)
    _project(ledger, store)

    def steps(document: dict[str, Any]) -> None:
        document["parameters"]["step_years"]["value"] = 2

    chosen = _draft("baohe-2020", steps)
    adopted = ledger.schedule()
    assert not pay_only(adopted, draft_schedule(adopted, chosen.policy, chosen.effective))
    assert not simulate(ledger, chosen, FROM, TO, limit=10, store=store).setwise


def test_read_models_behind_the_events_are_not_priced_from(
    small: tuple[Ledger, ReadStore],
) -> None:
    ledger, store = small
    tree = build_tree(ledger, quotas={"community_a": 5})
    _project(ledger, store)
    hire(ledger, tree.community_a, hire_date=date(2020, 3, 1))  # not projected yet

    outcome = simulate(ledger, _draft("baohe-2020", _wage), FROM, TO, limit=10, store=store)

    assert not outcome.setwise
    assert outcome.sums.affected == 1
    _project(ledger, store)
    assert simulate(ledger, _draft("baohe-2020", _wage), FROM, TO, limit=10, store=store).setwise


def test_a_fixed_base_raised_mid_year_is_paid_from_its_month_on_both_paths(
    small: tuple[Ledger, ReadStore],
) -> None:
    ledger, store = small
    tree = build_tree(ledger, quotas={"community_a": 5})
    hire(ledger, tree.community_a, hire_date=date(2021, 3, 1))
    _project(ledger, store)

    def raise_in_july(document: dict[str, Any]) -> None:
        base = {"2016-01-01": "3000.00", "2021-07-01": "3300.00"}
        document["parameters"]["fixed_base_pay"] = {"value": base, "source": "default"}

    chosen = _draft(FIRST_PACK, raise_in_july)
    coefficient = chosen.policy.coefficient(Post.ASSISTANT, 1)
    for read in (None, store):
        outcome = simulate(ledger, chosen, "2021-05", "2021-08", limit=10, store=read)
        months = {m["month"]: m["draft"]["total"] for m in report.summary(outcome, {})["months"]}
        assert outcome.setwise is (read is not None)
        assert [Decimal(months[m]) for m in ("2021-06", "2021-07", "2021-08")] == [
            (coefficient * Decimal(base)).quantize(Decimal("0.01"))
            for base in ("3000", "3300", "3300")
        ]
