"""Posts defined by the policy: codes, labels and bands of the policy's own, and a mapping
when a version drops a post (domain/posts.py, domain/policy.py, domain/timeline.py)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.errors import InvalidInput, PolicyInvalid
from domain.policy import AdoptedVersion, Policy, PolicySchedule, following
from domain.policy_book import PolicyBook
from domain.timeline import states
from domain.vocabulary import Channel, Education, GradeChangeReason, PostChangeReason, Rating
from domain.worker import Worker
from tests.unit.builders import LONG_AGO, document, person

THREE_POSTS = [
    {"code": "head", "label_zh": "社区正职", "label_en": "Community head"},
    {"code": "deputy", "label_zh": "社区副职", "label_en": "Deputy head"},
    {"code": "staff", "label_zh": "其他工作人员", "label_en": "Staff"},
]
BANDS = {"head": [7, 18], "deputy": [4, 15], "staff": [1, 12]}
CHANGE = date(2023, 1, 1)


def three_posts(mapping: dict[str, str] | None = None) -> dict[str, Any]:
    """三岗十八级 on the Chibi pack's other numbers: one coefficient per grade for every post."""
    doc = document()
    params = doc["parameters"]
    by_grade = params["pay_coefficients"]["value"]["assistant"] | {
        str(g): v for g, v in params["pay_coefficients"]["value"]["director"].items() if int(g) > 12
    }
    params["posts"] = {"value": copy.deepcopy(THREE_POSTS), "source": "published"}
    params["post_grades"]["value"] = copy.deepcopy(BANDS)
    params["pay_coefficients"]["value"] = {
        code: {g: c for g, c in by_grade.items() if lo <= int(g) <= hi}
        for code, (lo, hi) in BANDS.items()
    }
    params["city_funding_shares"]["value"] = {"head": "0.70", "deputy": "0.70", "staff": "1.00"}
    doc["id"] = "three-posts"
    if mapping is not None:
        doc["post_mapping"] = mapping
    return doc


def problems_of(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(PolicyInvalid) as refused:
        Policy.from_document(doc)
    return refused.value.problems


def test_a_policy_with_three_posts_of_its_own_reads_its_codes_labels_and_bands() -> None:
    policy = Policy.from_document(three_posts())

    assert policy.post_codes == ("head", "deputy", "staff")
    assert policy.top_post == "head"
    assert policy.grade_range("deputy") == (4, 15)
    assert policy.post_label("staff") == "其他工作人员"
    assert policy.post_label("staff", "en") == "Staff"


def test_a_document_without_posts_has_the_four_posts_of_the_seed() -> None:
    policy = Policy.from_document(document())

    assert policy.post_codes == ("director", "deputy_director", "officer", "assistant")
    assert policy.post_label("officer") == "主办"


def test_repeated_codes_a_missing_band_and_an_unknown_key_are_all_listed() -> None:
    doc = three_posts()
    doc["parameters"]["posts"]["value"].append(
        {"code": "staff", "label_zh": "又一个", "label_en": "Again"}
    )
    del doc["parameters"]["post_grades"]["value"]["deputy"]
    doc["parameters"]["city_funding_shares"]["value"]["officer"] = "1.00"

    found = problems_of(doc)

    assert any("'staff' repeats entry 2" in p for p in found)
    assert any("post_grades.deputy" in p for p in found)
    assert any("city_funding_shares.officer" in p for p in found)


def test_a_band_that_lies_below_the_lower_posts_band_is_refused_in_the_policys_own_labels() -> None:
    doc = three_posts()
    doc["parameters"]["post_grades"]["value"]["deputy"] = [1, 10]
    doc["parameters"]["pay_coefficients"]["value"]["deputy"] = {str(g): "1.0" for g in range(1, 11)}
    doc["parameters"]["post_grades"]["value"]["staff"] = [2, 12]

    with pytest.raises(PolicyInvalid) as refused:
        Policy.from_document(doc)

    assert "社区副职" in refused.value.in_locale("zh-CN")[0]


def test_a_hire_into_a_post_the_policy_does_not_have_is_refused_naming_the_posts_it_has() -> None:
    sched = PolicySchedule(
        [AdoptedVersion(1, LONG_AGO, "三岗", Policy.from_document(three_posts()))]
    )

    with pytest.raises(InvalidInput) as refused:
        _hire(sched, "officer")

    assert refused.value.field == "post"
    assert "社区正职" in refused.value.detail_in("zh-CN")


def test_the_posts_an_unknown_post_is_refused_with_read_in_the_reader_s_language() -> None:
    policy = Policy.from_document(three_posts())

    with pytest.raises(InvalidInput) as refused:
        policy.require_post("officer")

    assert refused.value.detail_in("zh-CN") == (
        f"岗位“officer”不是政策 {policy.policy_id} 的岗位，应为社区正职或社区副职或其他工作人员"
    )
    assert refused.value.detail_in("en") == (
        f"'officer' is not a post of policy {policy.policy_id}; "
        "write head (Community head) or deputy (Deputy head) or staff (Staff)"
    )


def _hire(sched: PolicySchedule, post: str, day: date = date(2020, 3, 1)) -> Worker:
    return Worker.hire(
        person=person(),
        unit_id=uuid4(),
        post=post,
        education=Education.BACHELOR,
        channel=Channel.OPEN_RECRUITMENT,
        hire_date=day,
        schedule=sched,
    )


def test_the_initial_grade_counts_from_the_bottom_of_the_policys_own_band() -> None:
    sched = PolicySchedule(
        [AdoptedVersion(1, LONG_AGO, "三岗", Policy.from_document(three_posts()))]
    )

    worker = _hire(sched, "deputy")

    # 社区副职 starts at 4; a bachelor's adds Chibi's education bonus (2 grades).
    assert worker.state(sched).grade == 4 + 2


def test_adopting_a_version_that_drops_a_post_without_mapping_it_is_refused() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")

    with pytest.raises(PolicyInvalid) as refused:
        book.adopt(three_posts(), CHANGE, "三岗")

    dropped = " ".join(refused.value.problems)
    for code in ("director", "deputy_director", "officer", "assistant"):
        assert f"drops the post '{code}'" in dropped


MAPPING = {
    "director": "head",
    "deputy_director": "deputy",
    "officer": "staff",
    "assistant": "staff",
}


def test_a_mapping_to_a_post_the_version_lacks_is_refused() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    mapping = {
        "director": "head",
        "deputy_director": "deputy",
        "officer": "clerk",
        "assistant": "staff",
    }

    with pytest.raises(PolicyInvalid) as refused:
        book.adopt(three_posts(mapping), CHANGE, "三岗")

    assert "post_mapping.officer" in " ".join(refused.value.problems)


def test_a_mapping_from_a_post_no_earlier_version_had_is_refused() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")

    with pytest.raises(PolicyInvalid) as refused:
        book.adopt(three_posts({**MAPPING, "janitor": "staff"}), CHANGE, "三岗")

    assert "no earlier version has a post 'janitor'" in " ".join(refused.value.problems)


def test_holders_of_a_mapped_post_hold_the_new_post_from_the_versions_date_on() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    book.adopt(three_posts(MAPPING), CHANGE, "三岗")
    sched = book.schedule()
    worker = _hire(sched, "officer")
    worker.record_appraisal(year=2020, rating=Rating.COMPETENT, schedule=sched)

    before = worker.state(sched, date(2022, 12, 31))
    after = worker.state(sched, CHANGE)

    assert before.post == "officer"
    assert after.post == "staff"
    assert after.grade == before.grade  # 主办 3–14 and 其他工作人员 1–12 both hold it
    assert worker.hire_fact.post == "officer"  # history keeps the post as recorded
    # The read models' periods change on the version's date, between two facts.
    periods = {day: s.post for day, s in states(worker.facts, sched)}
    assert periods[CHANGE] == "staff"


def test_a_grade_above_the_mapped_posts_band_is_brought_down_to_its_top() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    book.adopt(three_posts(MAPPING), CHANGE, "三岗")
    sched = book.schedule()
    worker = _hire(sched, "officer")
    worker.change_grade(
        grade=14, effective_date=date(2021, 1, 1), schedule=sched, reason=GradeChangeReason.OTHER
    )

    assert worker.state(sched, CHANGE).grade == 12


def test_after_the_change_a_post_change_must_name_a_post_of_the_new_version() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    book.adopt(three_posts(MAPPING), CHANGE, "三岗")
    sched = book.schedule()
    worker = _hire(sched, "assistant")

    with pytest.raises(InvalidInput):
        worker.change_post(
            post="officer",
            effective_date=date(2023, 6, 1),
            reason=PostChangeReason.PROMOTION,
            schedule=sched,
        )
    worker.change_post(
        post="deputy",
        effective_date=date(2023, 6, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=sched,
    )
    assert worker.state(sched).post == "deputy"


def test_a_later_version_that_keeps_the_new_posts_carries_the_mapping_forward() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    book.adopt(three_posts(MAPPING), CHANGE, "三岗")
    later = three_posts()
    later["id"] = "three-posts-2025"
    book.adopt(later, date(2025, 1, 1), "三岗 2025")
    policy = book.schedule().on(date(2025, 6, 1))

    assert policy.post_of("officer") == "staff"
    assert policy.grade_range("director") == (7, 18)


def test_a_draft_from_the_start_must_place_every_recorded_post() -> None:
    adopted = PolicySchedule(
        [AdoptedVersion(1, LONG_AGO, "赤壁", Policy.from_document(document()))]
    )

    with pytest.raises(PolicyInvalid):
        following(adopted.versions[-1], 2, date.min, "draft", Policy.from_document(three_posts()))
    placed = following(
        adopted.versions[-1], 2, date.min, "draft", Policy.from_document(three_posts(MAPPING))
    )
    assert placed.policy.post_of("deputy_director") == "deputy"


def test_the_state_a_mapping_moves_on_its_date_keeps_the_facts_behind_it() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    book.adopt(three_posts(MAPPING), CHANGE, "三岗")
    sched = book.schedule()
    worker = _hire(sched, "officer")
    worker.record_appraisal(year=2020, rating=Rating.COMPETENT, schedule=sched)
    worker.record_appraisal(year=2023, rating=Rating.COMPETENT, schedule=sched)

    moved = dict(states(worker.facts, sched))[CHANGE]

    # The rules look back through the facts (a step's due date): the move loses none.
    assert [f.kind for f in moved.facts] == ["HireFact", "AppraisalFact"]
