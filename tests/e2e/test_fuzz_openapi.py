"""Schemathesis over the whole OpenAPI document of a server with a small district loaded.

Every operation the document holds (endpoints added later included: the schema
is read from the running server) is called with generated valid and invalid
input, as an admin and as a clerk of one street office. Every answer must be
declared: no 500, a status code the operation lists, the declared content type
and a body matching the declared schema (problem+json for every refusal).

Every check schemathesis has runs on every answer (``--checks all``): besides the
above, a request the document calls valid must not be refused with 422 (so the
document states every limit the server enforces), one it calls invalid must be
refused, and ``Allow`` must list the documented methods.

Path ids are drawn half the time from the loaded district, so the calls reach
real workers and units instead of stopping at 404. The default run is small
and deterministic; the deeper one is collected only with ``LEDGER_FUZZ_DEEP=1``,
which CI (``.ci/run``) sets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.hooks import HookDispatcher, HookScope
from schemathesis.specs.openapi.checks import positive_data_acceptance

from domain.vocabulary import Role
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from seed.generate import generate
from tests.e2e.servers import uvicorn_server

V1 = "/api/v1"
DEEP = os.environ.get("LEDGER_FUZZ_DEEP") == "1"
# Examples per operation and mode in the default runs: every check resends some calls
# (without the token, with a wrong one), so fewer than the deep run's 75 keep them quick.
QUICK = 15


@dataclass(frozen=True)
class World:
    base_url: str
    tokens: dict[str, str]
    ids: dict[str, list[str]]  # path parameter name -> real ids to draw from


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'ledger.db'}"
    ledger = Ledger(env=store_environment(url))
    try:
        admin = ledger.bootstrap("baohe-2020")
        assert admin
        generate(ledger, workers=40, years=3, seed=6, start_year=2021)
    finally:
        ledger.close()
    # ignored_auth resends calls with a wrong token: under a limit, later calls are answered 429.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEDGER_AUTH_FAILURE_LIMIT", "0")
        with uvicorn_server(url, folder / "server.log") as base:
            with httpx.Client(
                base_url=base + V1, headers={"Authorization": f"Bearer {admin}"}, timeout=30
            ) as client:
                district = client.get("/units").json()["items"][0]["unit_id"]
                streets = _unit_ids(client, district)
                communities = _unit_ids(client, streets[0])
                roster = client.get("/workers", params={"unit_id": streets[0], "limit": 50}).json()
                workers = [w["worker_id"] for w in roster["items"]]
            ledger = Ledger(env=store_environment(url))
            try:
                clerk = ledger.create_token("fuzz-clerk", Role.CLERK, UUID(streets[0]))
            finally:
                ledger.close()
            assert workers and communities
            yield World(
                base_url=base,
                tokens={"admin": admin, "clerk": clerk},
                ids={
                    "unit_id": [district, *streets[:2], *communities[:3]],
                    "worker_id": workers[:10],
                },
            )


def _unit_ids(client: httpx.Client, parent_id: str) -> list[str]:
    units = client.get("/units", params={"parent_id": parent_id}).json()["items"]
    return [u["unit_id"] for u in units]


@pytest.fixture(scope="module")
def api_schema(world: World) -> BaseSchema:
    """The document as the server publishes it, so endpoints added later are fuzzed too.

    The bearer token is sent with every call (as an admin or a clerk), so it is
    not one of the generated parameters. Unknown query parameters are ignored,
    as by most HTTP APIs, so they are not generated as invalid input either.
    """
    config = schemathesis.Config.from_dict(
        {"generation": {"with-security-parameters": False, "allow-extra-parameters": False}}
    )
    return schemathesis.openapi.from_url(world.base_url + V1 + "/openapi.json", config=config)


def real_ids(world: World) -> HookDispatcher:
    """Half the valid cases get a real unit or worker, so calls get past the 404."""
    hooks = HookDispatcher(scope=HookScope.TEST)

    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        known = {name: world.ids[name] for name in path_parameters or () if name in world.ids}
        if not known:
            return st.just(path_parameters)
        real = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
        return st.one_of(st.just(path_parameters), real.map(lambda r: {**path_parameters, **r}))

    hooks.register_hook_with_name(flatmap_path_parameters, "flatmap_path_parameters")
    return hooks


# Refusals of well-formed requests that JSON Schema cannot state, so the document says
# them in prose: a policy document's rules (docs/policy-format.md, answered with every
# problem), a window ending before it starts, a birth after the hire, an appraisal dated
# before its year, an expiry that has passed (it depends on the clock), a unit's parent
# of the wrong kind, a key reused for another request (the ledger's state, see
# test_idempotency.py) and a post code that the policy in force on the date does not
# define (the posts are the policy's data: GET /policies/current lists them).
PROSE = {
    ("GET", "/workers", "post"),
    ("POST", "/workers", "post"),
    ("POST", "/workers/{worker_id}/post-changes", "post"),
    ("POST", "/policies", "policy_invalid"),
    ("POST", "/simulations", "policy_invalid"),
    ("POST", "/simulations", "to_month"),
    ("POST", "/workers", "birth_date"),
    ("POST", "/workers/{worker_id}/appraisals", "effective_date"),
    ("POST", "/tokens", "expires_at"),
    ("POST", "/units", "parent_id"),
}


def stated_in_prose(case: Case, response: requests.Response | Any) -> list[Any]:
    """``positive_data_acceptance`` excluded for this case if the refusal is one of PROSE."""
    if response.status_code != 422:
        return []
    problem = response.json()
    path = case.operation.path.removeprefix(V1)
    said = {problem.get("code"), problem.get("field")}
    if problem.get("code") == "idempotency_key_reused" or any(
        (case.method, path, what) in PROSE for what in said
    ):
        return [positive_data_acceptance]
    return []


def fuzz(schema: BaseSchema, world: World, role: str, max_examples: int) -> None:
    """Every operation, valid and invalid input; all failures reported together.

    A loop of our own rather than ``schemathesis.pytest.from_fixture``, whose
    reporting relies on pytest internals that pytest 9.2 no longer has.
    """
    auth = {"Authorization": f"Bearer {world.tokens[role]}"}
    hooks = {GenerationMode.POSITIVE: real_ids(world), GenerationMode.NEGATIVE: None}
    failures: list[str] = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode, mode_hooks in hooks.items():
                strategy = operation.as_strategy(generation_mode=mode, hooks=mode_hooks)

                @settings(
                    max_examples=max_examples,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def run(case: Case) -> None:
                    sent = {"base_url": world.base_url, "session": session, "headers": auth}
                    response = case.call(**sent)
                    # No ``checks``: every check schemathesis has, as enabled by default.
                    case.validate_response(
                        response,
                        headers=auth,
                        excluded_checks=stated_in_prose(case, response),
                        transport_kwargs=sent,
                    )

                try:
                    run()
                except Unsatisfiable:
                    continue  # no invalid input exists for an operation without parameters
                except (Exception, BaseExceptionGroup) as failure:  # report every operation
                    failures.append(f"{operation.label} ({mode.value}):\n{failure}")
    assert not failures, "\n\n".join(failures)


def test_every_operation_answers_an_admin_as_declared(api_schema: BaseSchema, world: World) -> None:
    fuzz(api_schema, world, "admin", max_examples=QUICK)


def test_every_operation_answers_a_clerk_as_declared(api_schema: BaseSchema, world: World) -> None:
    fuzz(api_schema, world, "clerk", max_examples=QUICK)


if DEEP:  # collected only then: a default run neither runs nor reports it

    @pytest.mark.slow
    @pytest.mark.timeout(3600)
    def test_every_operation_answers_as_declared_in_a_deeper_run(
        api_schema: BaseSchema, world: World
    ) -> None:
        """Run by CI (``.ci/run`` sets LEDGER_FUZZ_DEEP=1), and by hand with that variable.

        75 examples per operation and mode take about 2 minutes on a 2-core machine; set
        LEDGER_FUZZ_DEEP_EXAMPLES higher for a long run (300 took 25 minutes)."""
        examples = int(os.environ.get("LEDGER_FUZZ_DEEP_EXAMPLES", "75"))
        for role in ("admin", "clerk"):
            fuzz(api_schema, world, role, max_examples=examples)


def test_the_document_declares_a_problem_answer_for_every_refusal(world: World) -> None:
    """Each operation lists the problems any request can meet, in one shared shape, so
    the fuzzing above holds every endpoint to a complete document."""
    document = httpx.get(world.base_url + V1 + "/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = operation["responses"]
            where = (method, path)
            assert "500" in declared, where
            if operation.get("security"):
                assert {"401", "403", "503"} <= declared.keys(), where
            if "requestBody" in operation:
                assert {"413", "422"} <= declared.keys(), where
            if "{" in path:
                assert {"404", "422"} <= declared.keys(), where
            for status, answer in declared.items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in answer["content"], (*where, status)
