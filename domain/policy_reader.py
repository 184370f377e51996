"""Reading a policy document: every parameter checked, every problem listed at once
(``PolicyInvalid``), in English and Chinese (``domain.errors.PolicyProblem``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Any

from domain.errors import PolicyInvalid, PolicyProblem
from domain.policy_method_reads import MethodReads
from domain.policy_parts import (
    ALL_PARAMETERS,
    OPTIONAL_PARAMETERS,
    PARAMETERS,
    REPLACED_BY,
    SOURCES,
)
from domain.policy_reads import identity
from domain.posts import DEFAULT_POSTS, PostDef, read_mapping, read_posts
from domain.vocabulary import CertificateLevel, Education, UnitKind


class PolicyReader(MethodReads):
    """Reads a document, collecting every problem instead of stopping at the first."""

    def fields(self) -> dict[str, Any]:
        """The fields of the ``Policy`` the document describes, or every problem at once."""
        doc = self.document
        if not isinstance(doc, Mapping):
            raise PolicyInvalid([PolicyProblem("not_object")])
        params = doc.get("parameters")
        if not isinstance(params, Mapping):
            raise PolicyInvalid([PolicyProblem("parameters_not_object")])
        policy_id = doc.get("id")
        if not isinstance(policy_id, str) or not policy_id.strip():
            self._problem("id_missing")
        values: dict[str, Any] = {}
        for name in ALL_PARAMETERS:
            entry = params.get(name)
            if entry is None and name in OPTIONAL_PARAMETERS:
                continue
            if entry is None and isinstance(params.get(REPLACED_BY.get(name, "")), Mapping):
                continue  # another method replaces it
            if not isinstance(entry, Mapping) or "value" not in entry:
                self._problem("missing", f"parameters.{name}")
                continue
            if entry.get("source") not in SOURCES:
                self._problem("bad_source", f"parameters.{name}.source", sources=sorted(SOURCES))
            values[name] = entry["value"]
        for name in params:
            if name not in ALL_PARAMETERS:
                self._problem("unknown_parameter", f"parameters.{name}")
        # Read the parameters that are there even when some are missing, so that
        # every problem is listed at once; a missing one reads as None and its
        # follow-on complaints are dropped below.
        replaced = {
            name
            for name in REPLACED_BY
            if params.get(name) is None and isinstance(params.get(REPLACED_BY[name]), Mapping)
        }
        missing = [name for name in PARAMETERS if name not in values and name not in replaced]
        if "channel_eligibility" not in params:
            values["channel_eligibility"] = {}
        values.update(dict.fromkeys(missing, None))
        for name in OPTIONAL_PARAMETERS:
            values.setdefault(name, None)
        reported = len(self.problems)

        posts = (
            DEFAULT_POSTS if values["posts"] is None else read_posts(values["posts"], self.problems)
        )
        codes = [p.code for p in posts]
        post_grades = self._post_grades(values["post_grades"], codes)
        fields: dict[str, Any] = dict(
            policy_id=str(policy_id),
            document=json.loads(json.dumps(doc)),
            posts=posts,
            post_grades=post_grades,
            post_mapping=read_mapping(doc.get("post_mapping"), posts, self.problems),
            education_bonus=(
                dict.fromkeys(Education, 0)
                if "education_bonus" in replaced
                else self._enum_map(
                    "education_bonus", values["education_bonus"], Education, self._int
                )
            ),
            prior_service_years_per_grade=self._int(
                "prior_service_years_per_grade", values["prior_service_years_per_grade"], 1
            ),
            step_years=self._int("step_years", values["step_years"], 1),
            promotion_excellent_years=self._int(
                "promotion_excellent_years", values["promotion_excellent_years"], 1
            ),
            dismissal_unqualified_years=self._int(
                "dismissal_unqualified_years", values["dismissal_unqualified_years"], 1
            ),
            dismissal_due_days=self._int("dismissal_due_days", values["dismissal_due_days"], 0),
            dispatch_min_service_years=self._int(
                "dispatch_min_service_years", values["dispatch_min_service_years"], 0
            ),
            dispatch_conversion_share=self._share(
                "dispatch_conversion_share", values["dispatch_conversion_share"]
            ),
            quota_bases=self._enum_map(
                "quota_bases", values["quota_bases"], UnitKind, self._int, complete=False
            ),
            quota_class_coefficients=self._class_coefficients(values["quota_class_coefficients"]),
            quota_review_years=self._int("quota_review_years", values["quota_review_years"], 1),
            base_pay_wage_share=(
                Decimal(0)
                if "base_pay_wage_share" in replaced
                else self._share("base_pay_wage_share", values["base_pay_wage_share"])
            ),
            average_wages=(
                {} if "average_wages" in replaced else self._average_wages(values["average_wages"])
            ),
            pay_coefficients=self._pay_coefficients(values["pay_coefficients"], codes, post_grades),
            certificate_allowances=(
                {}
                if "certificate_allowances" in replaced
                else self._enum_map(
                    "certificate_allowances",
                    values["certificate_allowances"],
                    CertificateLevel,
                    self._money,
                )
            ),
            city_funding_shares=self._enum_map(
                "city_funding_shares", values["city_funding_shares"], codes, self._share
            ),
            channel_eligibility=self._channel_eligibility(values["channel_eligibility"]),
            fixed_base_pay=self._fixed_base_pay(values["fixed_base_pay"]),
            pay_split=self._pay_split(values["pay_split"]),
            education_service_years=(
                None
                if values["education_service_years"] is None
                else self._enum_map(
                    "education_service_years",
                    values["education_service_years"],
                    Education,
                    self._int,
                )
            ),
            certificate_grades=(
                None
                if values["certificate_grades"] is None
                else self._enum_map(
                    "certificate_grades", values["certificate_grades"], CertificateLevel, self._int
                )
            ),
            quota_formula=self._quota_formula(values["quota_formula"]),
        )
        if self.consistency:
            self._bands_in_order(posts, post_grades)
        self.problems[reported:] = [
            problem
            for problem in self.problems[reported:]
            if not any(
                problem.where == f"parameters.{name}"
                or problem.where.startswith(f"parameters.{name}.")
                for name in missing
            )
        ]
        if self.problems:
            raise PolicyInvalid(self.problems)
        return fields

    def _post_grades(self, raw: Any, codes: list[str]) -> dict[str, tuple[int, int]]:
        ranges: dict[str, tuple[int, int]] = {}
        for post, pair in self._enum_map("post_grades", raw, codes, identity).items():
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(g, int) and not isinstance(g, bool) for g in pair)
                or not 1 <= pair[0] <= pair[1]
            ):
                self._problem("band", f"parameters.post_grades.{post}")
                continue
            ranges[post] = (pair[0], pair[1])
        return ranges

    def _class_coefficients(self, raw: Any) -> dict[int, Decimal]:
        if not isinstance(raw, Mapping) or set(raw) != {"1", "2", "3"}:
            self._problem("class_coefficients", "parameters.quota_class_coefficients")
            return {}
        return {int(k): self._decimal(f"quota_class_coefficients.{k}", v) for k, v in raw.items()}

    def _average_wages(self, raw: Any) -> dict[int, Decimal]:
        if not isinstance(raw, Mapping) or not raw:
            self._problem("average_wages", "parameters.average_wages")
            return {}
        wages: dict[int, Decimal] = {}
        for year, wage in raw.items():
            if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                self._problem("not_a_year", f"parameters.average_wages.{year}")
                continue
            wages[int(year)] = self._decimal(f"average_wages.{year}", wage)
        return wages

    def _pay_coefficients(
        self, raw: Any, codes: list[str], post_grades: Mapping[str, tuple[int, int]]
    ) -> dict[str, dict[int, Decimal]]:
        table: dict[str, dict[int, Decimal]] = {}
        rows = self._enum_map("pay_coefficients", raw, codes, identity)
        for post, row in rows.items():
            if not isinstance(row, Mapping):
                self._problem("not_an_object", f"parameters.pay_coefficients.{post}")
                continue
            table[post] = {}
            for grade, value in row.items():
                if not (isinstance(grade, str) and grade.isdigit()):
                    self._problem("not_a_grade", f"parameters.pay_coefficients.{post}.{grade}")
                    continue
                table[post][int(grade)] = self._decimal(f"pay_coefficients.{post}.{grade}", value)
            if post in post_grades:
                low, high = post_grades[post]
                missing = [g for g in range(low, high + 1) if g not in table[post]]
                if missing:
                    self._problem(
                        "missing_coefficients",
                        f"parameters.pay_coefficients.{post}",
                        grades=missing,
                    )
        return table

    def _bands_in_order(
        self, posts: tuple[PostDef, ...], bands: Mapping[str, tuple[int, int]]
    ) -> None:
        """A higher post's band may overlap a lower one's, but not lie lower at both
        ends: promotion up the posts would then lower the grade band."""
        ranked = [post for post in posts if post.code in bands]  # the policy lists top first
        for higher, lower in pairwise(ranked):
            (h_low, h_high), (l_low, l_high) = bands[higher.code], bands[lower.code]
            if h_low < l_low and h_high < l_high:
                self._problem(
                    "bands_inverted",
                    "parameters.post_grades",
                    higher=higher.code,
                    higher_zh=higher.label_zh,
                    higher_band=[h_low, h_high],
                    lower=lower.code,
                    lower_zh=lower.label_zh,
                    lower_band=[l_low, l_high],
                )
