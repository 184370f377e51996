"""A 405 lists every method of the path, though FastAPI makes one route per method."""

from __future__ import annotations

import warnings

import pytest

from api.app import PREFIX, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx
    from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/tokens", "GET, POST"),
        ("DELETE", "/workers", "GET, POST"),
        ("PUT", "/units/15c79838-d8fb-401f-a69c-188b52021f06", "GET"),
        ("GET", "/simulations", "POST"),
    ],
)
def test_a_method_not_allowed_is_answered_with_every_allowed_one(
    method: str, path: str, allowed: str
) -> None:
    response = TestClient(create_app()).request(method, PREFIX + path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.json()["code"] == "method_not_allowed"
