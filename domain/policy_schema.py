"""The JSON Schema of the policy format, made from the reader's own lists of parameters
and codes, so that an editor can check a file as it is written. ``docs/policy-schema.json``
is this schema, written by ``ledger policies schema`` (a test keeps the file current).

The schema says the shape; the reader (``Policy.from_document``) says the rest: a band
whose grades lack a coefficient, a higher post's band below a lower one's.
"""

from __future__ import annotations

from typing import Any

from domain.policy_parts import (
    AGE_LIMIT_BOUNDS,
    ALL_PARAMETERS,
    PARAMETERS,
    QUOTA_METHODS,
    REPLACED_BY,
    SOURCES,
)
from domain.posts import DEFAULT_POSTS, MAX_LABEL, MAX_POSTS, POST_CODE
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    Education,
    Labelled,
    Rating,
    UnitKind,
)

SCHEMA_ID = "urn:community-worker-ledger:policy-format-1"

WHOLE = {"type": "integer", "minimum": 0}
DECIMAL = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "description": "a decimal as text"}
SHARE = {**DECIMAL, "description": 'a share from "0" to "1", as text'}


def _by_code(enum: type[Labelled], value: dict[str, Any], *, every: bool = True) -> dict[str, Any]:
    codes = [member.value for member in enum]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {code: value for code in codes},
        "additionalProperties": False,
    }
    if every:
        schema["required"] = codes
    return schema


def _by_number(value: dict[str, Any], pattern: str = r"^[0-9]+$") -> dict[str, Any]:
    return {"type": "object", "patternProperties": {pattern: value}, "additionalProperties": False}


def value_schemas() -> dict[str, dict[str, Any]]:
    """Each parameter's ``value``: the one place a new parameter's shape is written."""
    band = {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "minItems": 2,
        "maxItems": 2,
        "description": "[lowest, highest] grade of the post",
    }
    low, high = AGE_LIMIT_BOUNDS
    eligibility = {
        "type": "object",
        "properties": {
            "age_under": {
                "type": ["integer", "null"],
                "minimum": low,
                "maximum": high,
                "description": "a hire must be younger than this on the hire date (周岁)",
            },
            "min_education": {
                "enum": [*(e.value for e in Education), None],
                "description": "the lowest education the channel admits",
            },
        },
        "additionalProperties": False,
    }
    seats = {"type": "integer", "minimum": 0}
    quota_formula: dict[str, Any] = {
        "type": "object",
        "description": "a community's computed quota from its counts; other units: base x class",
        "required": ["method"],
        "oneOf": [
            {"properties": {"method": {"const": "base_class"}}, "additionalProperties": False},
            {
                "properties": {
                    "method": {"const": "committee_plus_grids"},
                    "committee_seats": seats,
                    "households_per_seat": {"type": "integer", "minimum": 1},
                },
                "required": ["committee_seats"],
                "additionalProperties": False,
            },
            {
                "properties": {
                    "method": {"const": "household_bands"},
                    "committee_seats": seats,
                    "bands": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "array",
                            "items": seats,
                            "minItems": 2,
                            "maxItems": 2,
                            "description": "[households from, seats]",
                        },
                    },
                    "beyond": {
                        "type": "object",
                        "properties": {
                            "from": seats,
                            "households_per_seat": {"type": "integer", "minimum": 1},
                        },
                        "required": ["from", "households_per_seat"],
                        "additionalProperties": False,
                    },
                    "max_seats": {"type": "integer", "minimum": 1},
                },
                "required": ["bands"],
                "additionalProperties": False,
            },
            {
                "properties": {
                    "method": {"const": "per_residents"},
                    "seats_per_10000": {"type": "integer", "minimum": 1},
                    "minimum_seats": seats,
                    "minimum_below_population": seats,
                },
                "required": ["seats_per_10000"],
                "additionalProperties": False,
            },
        ],
    }
    assert [m["properties"]["method"]["const"] for m in quota_formula["oneOf"]] == list(
        QUOTA_METHODS
    )
    pay_split = {
        "type": "object",
        "properties": {
            "basic_share": SHARE,
            "performance_paid": _by_code(Rating, SHARE),
            "unrated_paid": SHARE,
        },
        "required": ["basic_share", "performance_paid"],
        "additionalProperties": False,
    }
    # Keyed by the policy's own post codes (``posts``; without it the four of 四岗十八级).
    by_post = {
        "type": "object",
        "propertyNames": {"pattern": POST_CODE.pattern},
        "minProperties": 1,
        "maxProperties": MAX_POSTS,
        "description": "one entry per post code of parameters.posts "
        f"(default: {', '.join(p.code for p in DEFAULT_POSTS)})",
    }
    label = {"type": "string", "minLength": 1, "maxLength": MAX_LABEL}
    posts = {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_POSTS,
        "description": "the posts, top first: each code with its Chinese and English labels",
        "items": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "pattern": POST_CODE.pattern},
                "label_zh": label,
                "label_en": label,
            },
            "required": ["code", "label_zh", "label_en"],
            "additionalProperties": False,
        },
    }
    return {
        "posts": posts,
        "post_grades": {**by_post, "additionalProperties": band},
        "education_bonus": _by_code(Education, WHOLE),
        "prior_service_years_per_grade": {"type": "integer", "minimum": 1},
        "step_years": {"type": "integer", "minimum": 1},
        "promotion_excellent_years": {"type": "integer", "minimum": 1},
        "dismissal_unqualified_years": {"type": "integer", "minimum": 1},
        "dismissal_due_days": WHOLE,
        "dispatch_min_service_years": WHOLE,
        "dispatch_conversion_share": SHARE,
        "quota_bases": _by_code(UnitKind, WHOLE, every=False),
        "quota_class_coefficients": {
            **_by_code_names(("1", "2", "3"), DECIMAL),
        },
        "quota_review_years": {"type": "integer", "minimum": 1},
        "base_pay_wage_share": SHARE,
        "average_wages": {**_by_number(DECIMAL, r"^[0-9]{4}$"), "minProperties": 1},
        "pay_coefficients": {**by_post, "additionalProperties": _by_number(DECIMAL)},
        "certificate_allowances": _by_code(CertificateLevel, DECIMAL),
        "city_funding_shares": {**by_post, "additionalProperties": SHARE},
        "channel_eligibility": _by_code(Channel, eligibility, every=False),
        "fixed_base_pay": {
            **_by_number(DECIMAL, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
            "minProperties": 1,
            "description": "monthly base (pay of coefficient 1) from each date",
        },
        "pay_split": pay_split,
        "education_service_years": _by_code(Education, WHOLE),
        "certificate_grades": _by_code(CertificateLevel, WHOLE),
        "quota_formula": quota_formula,
    }


def _by_code_names(names: tuple[str, ...], value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict.fromkeys(names, value),
        "required": list(names),
        "additionalProperties": False,
    }


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a policy document, format 1."""
    values = value_schemas()
    parameters = {
        name: {
            "type": "object",
            "properties": {
                "value": values[name],
                "source": {"enum": sorted(SOURCES)},
                "note": {"type": "string"},
            },
            "required": ["value", "source"],
        }
        for name in ALL_PARAMETERS
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Community worker ledger: policy document (format 1)",
        "description": "See docs/policy-format.md. Every parameter is {value, source, note}.",
        "type": "object",
        "properties": {
            "format": {"const": 1},
            "id": {"type": "string", "minLength": 1, "pattern": r"\S"},
            "title": {"type": "string"},
            "title_zh": {"type": "string"},
            "effective_from": {"type": "string", "format": "date"},
            "sources": {"type": "array", "items": {"type": "string"}},
            "post_mapping": {
                "type": "object",
                "description": "each post code of the previous version this one drops, "
                "to the post of this version its holders move to on the effective date",
                "propertyNames": {"pattern": POST_CODE.pattern},
                "additionalProperties": {"type": "string", "pattern": POST_CODE.pattern},
            },
            "parameters": {
                "type": "object",
                "properties": parameters,
                "required": [name for name in PARAMETERS if name not in REPLACED_BY],
                # A required parameter another method replaces is required without it.
                "allOf": [
                    {
                        "if": {"not": {"required": [replacement]}},
                        "then": {"required": [name]},
                    }
                    for name, replacement in REPLACED_BY.items()
                ],
                "additionalProperties": False,
            },
        },
        "required": ["id", "parameters"],
    }
