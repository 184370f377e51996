"""Who is using the console: the signed-in person, from their session cookie.

The accounts and sessions themselves are the ledger's (``ledger/use_cases``); this
module only reads the cookie and turns an answer into a redirect. Pages depend on
``current_person``; a page test may override it with a fixed ``Actor``.
"""

from __future__ import annotations

from fastapi import Request

from domain.access import Actor

SESSION_COOKIE = "ledger_session"


class SignInRequired(Exception):
    """No valid session: the page answers a redirect to the sign-in page."""


def current_person(request: Request) -> Actor:
    """The person signed in on this request's session, or ``SignInRequired``."""
    raise SignInRequired
