"""``/policies`` (政策): the adopted versions on a timeline, and every parameter of a
chosen version (or of the version in force on a date), in the reader's language, each
with its value, its source and its note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from console.web import Page, PageDep
from domain.errors import InvalidInput, NotFound
from domain.policy import Policy
from domain.vocabulary import CertificateLevel, Education, UnitKind

router = APIRouter(include_in_schema=False)

# Whole numbers and shares shown together as the rules' thresholds, in the rules' order.
THRESHOLDS = (
    "step_years",
    "promotion_excellent_years",
    "dismissal_unqualified_years",
    "dismissal_due_days",
    "prior_service_years_per_grade",
    "dispatch_min_service_years",
    "dispatch_conversion_share",
    "quota_review_years",
    "base_pay_wage_share",
)


@router.get("/policies", response_class=HTMLResponse)
def policies(
    page: PageDep,
    version: Annotated[str | None, Query(max_length=10)] = None,
    as_of: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    """A GET form's empty field means "not chosen"."""
    versions = page.ledger.policy_versions()
    number, day = _number(version), _day(as_of)
    if number is not None:
        chosen = next((v for v in versions if v["version"] == number), None)
        if chosen is None:
            raise NotFound.because("no_policy_version", field="version", version=version)
        shown = page.ledger.policy_in_force(chosen["effective_date"])
    else:
        shown = page.ledger.policy_in_force(day or date.today())
    params = shown["parameters"]
    policy = Policy.from_document({"id": shown["policy_id"] or "-", "parameters": params})
    return page.render(
        "policies.html",
        section="policies",
        versions=versions,
        shown=shown,
        as_of=day,
        groups=groups(page, params, policy),
        chart=coefficient_chart(page, policy),
    )


def groups(page: Page, params: dict[str, Any], policy: Policy) -> list[dict[str, Any]]:
    """Each parameter (or the thresholds together) as a titled table with source and note."""

    def one(name: str, headers: list[str], rows: list[list[Any]], numeric: int = 1) -> Any:
        entry = params[name]
        return {
            "name": name,
            "title": page.t(f"param.{name}"),
            "source": page.t(f"param.source.{entry.get('source')}"),
            "note": entry.get("note") or "",
            "headers": headers,
            "rows": rows,
            "numeric": numeric,  # how many columns from the right are numbers
        }

    t = page.t
    thresholds = {
        "name": "thresholds",
        "title": t("page.policies.thresholds"),
        "headers": [t("col.parameter"), t("col.value"), t("col.source"), t("col.note")],
        "rows": [
            [
                t(f"param.{name}"),
                _threshold(page, name, params[name]["value"]),
                t(f"param.source.{params[name].get('source')}"),
                params[name].get("note") or "",
            ]
            for name in THRESHOLDS
        ],
        "numeric": 0,
        "value_column": 1,
    }
    # The shown version's own posts, top first, by its own labels.
    posts = policy.post_codes
    name = {p.code: p.label(page.locale) for p in policy.posts}
    grades = sorted({g for post in posts for g in policy.pay_coefficients[post]})
    base_years = sorted(policy.average_wages)
    return [
        one(
            "post_grades",
            [t("col.post"), t("col.lowest_grade"), t("col.highest_grade")],
            [[name[p], *policy.post_grades[p]] for p in posts],
            numeric=2,
        ),
        one(
            "pay_coefficients",
            [t("col.grade"), *(name[p] for p in posts)],
            [
                [g, *(policy.pay_coefficients[p].get(g, "") for p in posts)]
                for g in reversed(grades)
            ],
            numeric=len(posts) + 1,
        ),
        one(
            "average_wages",
            [t("col.year"), t("col.average_wage"), t("col.base_pay_next_year")],
            [
                [y, _money(policy.average_wages[y]), _money(policy.base_pay(y + 1))]
                for y in base_years
            ],
            numeric=3,
        ),
        one(
            "certificate_allowances",
            [t("col.certificate"), t("col.monthly_allowance")],
            [[page.label(c), _money(policy.certificate_allowances[c])] for c in CertificateLevel],
        ),
        one(
            "city_funding_shares",
            [t("col.post"), t("col.city_share"), t("col.local_share")],
            [
                [
                    name[p],
                    _percent(policy.city_funding_shares[p]),
                    _percent(1 - policy.city_funding_shares[p]),
                ]
                for p in posts
            ],
            numeric=2,
        ),
        one(
            "quota_bases",
            [t("col.unit_kind"), t("col.quota_base")],
            [[page.label(k), policy.quota_bases[k]] for k in UnitKind if k in policy.quota_bases],
        ),
        one(
            "quota_class_coefficients",
            [t("col.unit_class"), t("col.coefficient")],
            [
                [t("page.policies.class", n=n), policy.quota_class_coefficients[n]]
                for n in sorted(policy.quota_class_coefficients)
            ],
        ),
        one(
            "education_bonus",
            [t("col.education"), t("col.extra_grades")],
            [[page.label(e), policy.education_bonus[e]] for e in Education],
        ),
        thresholds,
    ]


def coefficient_chart(page: Page, policy: Policy) -> dict[str, Any]:
    """An ECharts option: each post's pay coefficient by grade."""
    grades = sorted({g for row in policy.pay_coefficients.values() for g in row})
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "name": page.t("col.grade"), "data": grades},
        "yAxis": {"type": "value", "name": page.t("col.coefficient"), "min": "dataMin"},
        "series": [
            {
                "name": post.label(page.locale),
                "type": "line",
                "data": [
                    float(policy.pay_coefficients[post.code][g])
                    if g in policy.pay_coefficients[post.code]
                    else None
                    for g in grades
                ],
            }
            for post in policy.posts
        ],
    }
    return option


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput.because("not_a_version", field="version", value=text)
    return int(text)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.because("not_a_date", field="as_of", value=text) from None


def _threshold(page: Page, name: str, value: Any) -> str:
    if name.endswith("_share"):
        return _percent(Decimal(value))
    unit = "days" if name.endswith("_days") else "years"
    return page.t(f"page.policies.{unit}", n=value)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _percent(share: Decimal) -> str:
    return f"{share * 100:.0f}%"
