"""Workers over HTTP: every write's happy path and the rules that refuse it, by stable code."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import Api, Tree, approve, assert_problem, hire, hire_body

# -- hire --------------------------------------------------------------------------------


def test_a_hire_takes_its_initial_grade_from_the_policy(api: Api, tree: Tree) -> None:
    worker = hire(api, tree.community, post="officer", education="master", prior_service_years=7)

    assert worker["grade"] == 3 + 7 // 3 + 3  # post minimum + service + education bonus
    assert worker["post"] == "officer"
    assert worker["post_label"] == "主办"
    assert worker["education_label"] == "硕士"
    assert worker["channel_label"] == "公开招聘"
    assert worker["gender_label"] == "女"
    assert worker["status"] == "active"
    assert worker["status_label"] == "在岗"
    assert worker["hire_date"] == "2021-03-01"
    assert worker["monthly_pay"].count(".") == 1 and len(worker["monthly_pay"].split(".")[1]) == 2


def test_a_hire_with_an_explicit_grade_keeps_it(api: Api, tree: Tree) -> None:
    assert hire(api, tree.community, post="director", grade=12)["grade"] == 12


def test_a_hire_is_refused_when_the_unit_is_at_quota(api: Api, tree: Tree) -> None:
    for name in ("甲", "乙", "丙"):
        hire(api, tree.community, name=name)
    before = api.events_recorded()

    response = api.post("/workers", hire_body(tree.community, name="丁"))

    assert_problem(response, 409, "quota_exceeded", "unit_id")
    assert api.events_recorded() == before
    assert api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-01-01")["headcount"] == 3


def test_a_hire_counts_future_dated_arrivals_against_the_quota(api: Api, tree: Tree) -> None:
    approve(api, tree.community, 1, "2025-01-01")
    hire(api, tree.community, hire_date="2030-01-01")  # a future seat is still a seat
    response = api.post("/workers", hire_body(tree.community, hire_date="2029-06-01"))
    assert_problem(response, 409, "quota_exceeded")


def test_a_hire_is_refused_when_the_unit_has_no_approved_quota(api: Api, tree: Tree) -> None:
    village = api.created(
        "/units", {"name": "大圩村", "kind": "administrative_village", "parent_id": tree.street}
    )["unit_id"]
    response = api.post("/workers", hire_body(village))
    assert_problem(response, 409, "no_approved_quota", "unit_id")


def test_a_hire_with_a_grade_outside_the_post_range_is_refused(api: Api, tree: Tree) -> None:
    before = api.events_recorded()
    response = api.post("/workers", hire_body(tree.community, post="director", grade=40))
    assert_problem(response, 409, "grade_out_of_range", "grade")
    assert api.events_recorded() == before


def test_a_dispatch_conversion_needs_three_years_of_dispatch_service(api: Api, tree: Tree) -> None:
    api.created(f"/units/{tree.community}/dispatch-headcount", {"count": 30, "year": 2021})
    body = hire_body(tree.community, channel="dispatch_conversion", dispatch_service_years=2)
    response = api.post("/workers", body)
    assert_problem(response, 409, "dispatch_conversion_refused", "dispatch_service_years")


def test_dispatch_conversions_are_capped_at_a_tenth_of_the_reported_headcount(
    api: Api, tree: Tree
) -> None:
    api.created(f"/units/{tree.community}/dispatch-headcount", {"count": 19, "year": 2021})
    body = hire_body(tree.community, channel="dispatch_conversion", dispatch_service_years=4)

    converted = api.created("/workers", body)
    refused = api.post("/workers", {**body, "name": "李四"})

    assert converted["channel"] == "dispatch_conversion"
    assert converted["channel_label"] == "劳务派遣转岗"
    assert_problem(refused, 409, "dispatch_conversion_refused")


def test_a_hire_into_an_unknown_unit_is_not_found(api: Api) -> None:
    before = api.events_recorded()
    response = api.post("/workers", hire_body(str(uuid.uuid4())))
    assert_problem(response, 404, "not_found", "unit_id")
    assert api.events_recorded() == before


def test_a_birth_date_after_the_hire_date_is_refused(api: Api, tree: Tree) -> None:
    response = api.post("/workers", hire_body(tree.community, birth_date="2022-01-01"))
    assert_problem(response, 422, "validation_error", "birth_date")


# -- appraisals --------------------------------------------------------------------------


def test_an_appraisal_is_recorded_at_the_end_of_its_year(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "excellent"})

    appraised = api.history(worker_id)[-1]
    assert appraised["type"] == "Appraised"
    assert appraised["effective_date"] == "2021-12-31"
    assert appraised["data"]["rating"] == "excellent"


def test_a_second_appraisal_for_the_same_year_is_refused(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"})

    response = api.post(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "excellent"})

    assert_problem(response, 409, "duplicate_appraisal", "year")
    assert len(api.history(worker_id)) == 2


def test_an_appraisal_before_the_hire_is_a_timeline_conflict(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community, hire_date="2021-03-01")["worker_id"]
    response = api.post(f"/workers/{worker_id}/appraisals", {"year": 2019, "rating": "competent"})
    assert_problem(response, 409, "timeline_conflict")


def test_three_competent_years_make_a_step_due(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    for year in (2021, 2022, 2023):
        api.created(f"/workers/{worker_id}/appraisals", {"year": year, "rating": "competent"})

    worker = api.ok(f"/workers/{worker_id}", as_of="2024-02-01")
    assert worker["steps_due"][0]["effective_date"] == "2024-01-01"
    assert worker["steps_due"][0]["caused_by_years"] == [2021, 2022, 2023]


def test_a_correction_keeps_the_earlier_rating_on_record(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "unqualified"})

    api.created(
        f"/workers/{worker_id}/appraisals/2021/corrections",
        {"rating": "competent", "reason": "录入错误"},
    )

    types = [item["type"] for item in api.history(worker_id)]
    assert types == ["Hired", "Appraised", "AppraisalCorrected"]
    corrected = api.history(worker_id)[-1]
    assert corrected["corrects"] == {"type": "Appraised", "year": 2021}
    assert corrected["effective_date"] == "2021-12-31"


def test_correcting_a_year_without_an_appraisal_is_not_found(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    response = api.post(
        f"/workers/{worker_id}/appraisals/2022/corrections",
        {"rating": "competent", "reason": "x"},
    )
    assert_problem(response, 404, "not_found", "year")


# -- grade and post ---------------------------------------------------------------------


def test_a_grade_change_for_a_reward_is_recorded(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    worker = api.created(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 5, "effective_date": "2022-01-01", "reason": "reward", "note": "表彰"},
    )
    assert worker["grade"] == 5
    assert api.history(worker_id)[-1]["data"]["note"] == "表彰"


def test_a_grade_change_outside_the_post_range_is_refused(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    response = api.post(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 40, "effective_date": "2022-01-01", "reason": "reward"},
    )
    assert_problem(response, 409, "grade_out_of_range", "grade")
    assert len(api.history(worker_id)) == 1


def test_a_person_cannot_record_a_derived_grade_change(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    for reason in ("three_year_step", "education_upgrade"):
        response = api.post(
            f"/workers/{worker_id}/grade-changes",
            {"grade": 4, "effective_date": "2022-01-01", "reason": reason},
        )
        assert_problem(response, 422, "validation_error", "reason")
    assert len(api.history(worker_id)) == 1


def test_a_promotion_keeps_the_grade_clamped_into_the_new_post(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]  # assistant, grade 3
    worker = api.created(
        f"/workers/{worker_id}/post-changes",
        {"post": "director", "effective_date": "2022-03-01", "reason": "promotion"},
    )
    assert worker["post"] == "director"
    assert worker["post_label"] == "主管"
    assert worker["grade"] == 7


def test_an_earlier_post_change_that_breaks_a_later_grade_is_refused(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community, post="director", grade=15)["worker_id"]
    api.created(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 16, "effective_date": "2023-01-01", "reason": "reward"},
    )
    # Back to assistant in 2022 would leave the 2023 grade 16 outside 1-12.
    response = api.post(
        f"/workers/{worker_id}/post-changes",
        {"post": "assistant", "effective_date": "2022-01-01", "reason": "demotion"},
    )
    assert_problem(response, 409, "grade_out_of_range")


# -- transfers ----------------------------------------------------------------------------


def test_a_transfer_moves_the_seat_between_units(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    worker = api.created(
        f"/workers/{worker_id}/transfers", {"unit_id": tree.street, "effective_date": "2022-01-01"}
    )
    assert worker["unit_id"] == tree.street
    community = api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-06-01")
    street = api.ok(f"/units/{tree.street}/quota-usage", as_of="2022-06-01")
    assert (community["headcount"], street["headcount"]) == (0, 1)


def test_a_transfer_into_a_full_unit_is_refused(api: Api, tree: Tree) -> None:
    approve(api, tree.street, 0)
    worker_id = hire(api, tree.community)["worker_id"]
    response = api.post(
        f"/workers/{worker_id}/transfers", {"unit_id": tree.street, "effective_date": "2022-01-01"}
    )
    assert_problem(response, 409, "quota_exceeded")
    assert len(api.history(worker_id)) == 1


def test_a_transfer_into_the_same_unit_is_a_timeline_conflict(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    response = api.post(
        f"/workers/{worker_id}/transfers",
        {"unit_id": tree.community, "effective_date": "2022-01-01"},
    )
    assert_problem(response, 409, "timeline_conflict", "unit_id")


def test_a_transfer_into_an_unknown_unit_is_not_found(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    response = api.post(
        f"/workers/{worker_id}/transfers",
        {"unit_id": str(uuid.uuid4()), "effective_date": "2022-01-01"},
    )
    assert_problem(response, 404, "not_found", "unit_id")
    assert len(api.history(worker_id)) == 1


# -- education and certificates ------------------------------------------------------------


def test_a_higher_education_raises_the_grade(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community, education="associate")["worker_id"]  # grade 2
    worker = api.created(
        f"/workers/{worker_id}/education", {"education": "master", "effective_date": "2022-07-01"}
    )
    assert worker["education"] == "master"
    assert worker["grade"] == 4


def test_an_education_that_is_not_higher_is_refused(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community, education="bachelor")["worker_id"]
    response = api.post(
        f"/workers/{worker_id}/education",
        {"education": "associate", "effective_date": "2022-07-01"},
    )
    assert_problem(response, 409, "education_not_higher", "education")


def test_a_certificate_adds_its_allowance_to_the_pay(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    before = api.ok(f"/workers/{worker_id}", as_of="2022-08-01")
    worker = api.created(
        f"/workers/{worker_id}/certificates",
        {"level": "social_worker", "effective_date": "2022-07-15"},
    )
    after = api.ok(f"/workers/{worker_id}", as_of="2022-08-01")

    assert worker["certificate"] == "social_worker"
    assert worker["certificate_label"] == "社会工作师"
    assert after["pay"]["allowance"] == "200.00"
    assert float(after["monthly_pay"]) - float(before["monthly_pay"]) == 200


# -- dismissal ------------------------------------------------------------------------------


def test_a_dismissal_frees_the_seat(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    worker = api.created(
        f"/workers/{worker_id}/dismissal",
        {"effective_date": "2022-06-30", "reason": "resignation", "document_ref": "辞职申请"},
    )
    assert worker["status"] == "dismissed"
    assert worker["status_label"] == "已解聘"
    usage = api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-07-01")
    assert usage["headcount"] == 0


def test_a_fact_after_the_dismissal_is_refused(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    api.created(
        f"/workers/{worker_id}/dismissal", {"effective_date": "2022-06-30", "reason": "retirement"}
    )
    response = api.post(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 4, "effective_date": "2022-09-01", "reason": "reward"},
    )
    assert_problem(response, 409, "worker_dismissed")


def test_two_unqualified_years_flag_a_dismissal(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    for year in (2021, 2022):
        api.created(f"/workers/{worker_id}/appraisals", {"year": year, "rating": "unqualified"})
    flags = api.ok(f"/workers/{worker_id}", as_of="2023-01-15")["flags"]
    assert flags["dismissal_required"] is True
    assert flags["dismissal_due_date"]


# -- reading ------------------------------------------------------------------------------


def test_a_worker_before_the_hire_date_is_not_yet_hired(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community, hire_date="2021-03-01")["worker_id"]
    assert api.ok(f"/workers/{worker_id}", as_of="2021-01-01")["status"] == "not_yet_hired"


def test_an_unknown_worker_is_not_found(api: Api) -> None:
    assert_problem(api.get(f"/workers/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(api.get(f"/workers/{uuid.uuid4()}/history"), 404, "not_found")
    response = api.post(
        f"/workers/{uuid.uuid4()}/appraisals", {"year": 2021, "rating": "competent"}
    )
    assert_problem(response, 404, "not_found")


def test_the_history_names_who_recorded_each_fact_in_effective_order(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2022, "rating": "competent"})
    api.post(  # recorded later, effective earlier
        f"/workers/{worker_id}/appraisals",
        {"year": 2021, "rating": "excellent"},
        headers={"X-Request-ID": "req-2021-appraisal"},
    )

    items = api.history(worker_id)
    assert [i["effective_date"] for i in items] == ["2021-03-01", "2021-12-31", "2022-12-31"]
    assert {i["recorded_by"] for i in items} == {"first-admin"}
    assert items[1]["request_id"] == "req-2021-appraisal"
    assert all(i["recorded_at"].endswith("Z") for i in items)
