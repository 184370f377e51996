"""What is wrong with a row, where, and what was expected: the import's error report."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import LedgerError

# What each refusal of the domain expects instead, in the words of the import file.
EXPECTED_BY_CODE = {
    "quota_exceeded": "a free seat in the unit on that date (a higher 核定员额 quota in the "
    "units sheet, or an earlier departure)",
    "no_approved_quota": "a quota approved for the unit on or before that date (units sheet: "
    "核定员额 quota, 员额生效日期 quota_effective_date, 批准文号 document_ref)",
    "grade_out_of_range": "a grade within the post's range under the policy in force",
    "timeline_conflict": "a fact that fits the worker's timeline (dated on or after the hire)",
    "worker_dismissed": "no fact dated after the worker's dismissal",
    "duplicate_appraisal": "one appraisal per year; a changed rating is a 考核更正 "
    "appraisal_correction row",
    "education_not_higher": "an education higher than the one held on that date",
    "dispatch_conversion_refused": "a dispatch conversion the rules allow (3 years' dispatch "
    "service, within 10% of the unit's reported 劳务派遣人数 dispatch headcount that year)",
    "ineligible_for_channel": "a person the entry channel admits under the policy in force on "
    "the hire date (its age limit and minimum education), or the channel they came by",
    "not_found": "a fact that exists in the ledger or the file",
}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str  # as the user sees it: "F 考核等次 rating"; "" for the whole row
    what: str
    expected: str

    def line(self) -> str:
        where = f"{self.sheet}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.what}; expected {self.expected}"

    def as_row(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "problem": self.what,
            "expected": self.expected,
        }


def expected_for(error: LedgerError) -> str:
    return EXPECTED_BY_CODE.get(error.code, "a value the ledger's rules accept")
