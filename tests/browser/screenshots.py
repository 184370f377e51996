"""Screenshots of the console's main pages, for the README: ``python -m tests.browser.screenshots``.

Loads the demo district (``ledger demo``'s 包河区) into a temporary SQLite ledger, serves
the console on a free port, signs in as an admin person (changing the one-time password
first, as a person does) and captures at 1366×768, the common office screen, into
``docs/images/``: sign-in, units (the district), search results, a person with a step
due, rules, payroll, policies, audit, a what-if (two-year steps) and the units page
in English. Needs Debian's Chromium and a CJK font (``fonts-wqy-microhei``), as the browser
journeys do. Takes about a minute.

    .venv/bin/python -m tests.browser.screenshots [--out docs/images] [--demo PATH]

``--demo`` starts from a copy of a ledger file the demo was already loaded into (for
example ``./ledger.db`` after ``./scripts/demo``) instead of loading it again.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from domain.vocabulary import Role
from ledger.runtime import open_ledger
from ledger.settings import Settings
from seed.demo import load_demo
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve

SIZE = {"width": 1366, "height": 768}
PERSON, PASSWORD = "管理员", "包河-2026-screens"


def _settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(400)  # let the charts finish their first animation


def capture(page: Any, url: str, out: Path, name: str) -> Path:
    page.goto(url)
    _settle(page)
    target = out / f"{name}.png"
    page.screenshot(path=str(target))
    print(f"  {target}", file=sys.stderr)
    return target


def take(base: str, out: Path, ledger: Any) -> list[Path]:
    from playwright.sync_api import sync_playwright

    once = ledger.create_account(PERSON, Role.ADMIN)
    taken: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN", viewport=SIZE).new_page()
            taken.append(capture(page, base + "/sign-in", out, "console-sign-in"))
            page.get_by_label("账户名").fill(PERSON)
            page.get_by_label("密码", exact=True).fill(once)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
            page.get_by_label("当前密码").fill(once)
            page.get_by_label("新密码", exact=True).fill(PASSWORD)
            page.get_by_label("再次输入新密码").fill(PASSWORD)
            page.get_by_role("button", name="修改密码").click()
            page.wait_for_load_state()

            taken.append(capture(page, base + "/units?as_of=2026-01-01", out, "console-units"))
            taken.append(capture(page, base + "/workers?q=王", out, "console-search"))
            taken.append(capture(page, base + "/rules?as_of=2026-01-01", out, "console-rules"))
            link = page.locator("section[aria-labelledby=steps-title] tbody tr a").first
            href = link.get_attribute("href")
            taken.append(capture(page, base + str(href), out, "console-person"))
            taken.append(capture(page, base + "/payroll?month=2025-06", out, "console-payroll"))
            taken.append(capture(page, base + "/policies", out, "console-policies"))
            taken.append(capture(page, base + "/audit", out, "console-audit"))
            what_if = "/what-if?step_years=2&from_month=2021-01&to_month=2025-12"
            taken.append(capture(page, base + what_if, out, "console-what-if"))
            page.goto(base + "/language/en?next=/units")
            taken.append(capture(page, base + "/units?as_of=2026-01-01", out, "console-units-en"))
        finally:
            browser.close()
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--demo", type=Path, help="a ledger file holding the demo already")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ledger-screens-") as folder:
        tmp = Path(folder)
        if args.demo:
            shutil.copyfile(args.demo, tmp / "ledger.db")
        else:
            print("loading the demo district (about half a minute)...", file=sys.stderr)
            ledger, _ = open_ledger(Settings(database_url=f"sqlite:///{tmp / 'ledger.db'}"))
            try:
                load_demo(ledger)
            finally:
                ledger.close()
        print(f"screenshots into {args.out}:", file=sys.stderr)
        for live in serve(tmp):
            take(live.url, args.out, live.ledger)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
