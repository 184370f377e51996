"""Input limits: the one home of the sanity bounds every door into the ledger applies.

The HTTP API (api/schemas/) and the spreadsheet importer (ledger/importing/) both
read them from here, so a value one door lets in the other does not refuse. They are
sanity bounds, not rules: they keep typos and absurd input (a year 10000, a 1 MB
name) out of the ledger. The rules themselves (a grade within its post's range, a
free seat) are the domain's, refused as facts.
"""

from __future__ import annotations

import re

# Dates far outside the ledger's era only ever come from typos, and the date arithmetic
# downstream (review due dates, pay months) overflows on them.
FIRST_YEAR = 1949
LAST_YEAR = 2100
FIRST_BIRTH_YEAR = 1900
# The years FIRST_YEAR to LAST_YEAR as a regular expression, for documents (OpenAPI) that
# can state a pattern but not a range; tests/unit/test_input_limits.py holds it to them.
YEAR_PATTERN = "(19(49|[5-9][0-9])|20[0-9][0-9]|2100)"
# A month written YYYY-MM in the ledger's years.
MONTH_PATTERN = rf"^{YEAR_PATTERN}-(0[1-9]|1[0-2])$"

NAME_MAX_LENGTH = 100  # a person's or a unit's name
KEY_MAX_LENGTH = 100  # an importer's row key, a policy pack id
DOCUMENT_REF_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 2000

SERVICE_YEARS_MAX = 60
HEADCOUNT_MAX = 100_000
POPULATION_MAX = 100_000_000

# Control characters (but tab and line breaks) and unpaired surrogates: never meant, and
# NUL or a lone surrogate breaks text columns, UTF-8 encoders and the people reading reports.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# Resident identity card numbers (居民身份证号): 18 characters, the last a check character
# that may be X (written upper case; a lower-case x is accepted and normalised), or the
# old 15 digits.
ID_NUMBER_PATTERN = "^([0-9]{17}[0-9Xx]|[0-9]{15})$"  # ASCII digits only
_ID_NUMBER = re.compile(ID_NUMBER_PATTERN)
# A search: part of a name (no digits at all) or a whole ID number (a query with digits is one).
SEARCH_PATTERN = "^([^0-9]*|[0-9]{17}[0-9Xx]|[0-9]{15})$"
ID_NUMBER_EXPECTED = "18 characters (the last may be X) or 15 digits"


def in_years(year: int, first: int = FIRST_YEAR) -> bool:
    return first <= year <= LAST_YEAR


def id_number(text: str) -> str:
    """The ID number as recorded (check character upper case); ValueError if it is not one."""
    found = text.strip()
    if not _ID_NUMBER.fullmatch(found):
        raise ValueError(f"not a resident ID number: {ID_NUMBER_EXPECTED}")
    return found.upper()
