"""The ``ledger`` command: serve the API, load the demo district, make access tokens...

Each command group is a module of this package (``cli.serve``, ``cli.tokens``, ...)
whose commands know nothing of this app; what they share is in ``cli.common``. Here
they are put together, explicitly: importing a module registers nothing.
"""

from __future__ import annotations

import typer

from cli.demo import demo
from cli.export import export_app
from cli.generate import generate
from cli.importer import import_command
from cli.policies import policies_app
from cli.projections import project, projections_app
from cli.serve import serve
from cli.simulate import simulate
from cli.tokens import tokens_app
from cli.users import users_app
from cli.verify import encryption_key, verify_command

app = typer.Typer(
    name="ledger",
    help="The community-worker ledger (社区工作者员额与四岗十八级台账).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve)
app.command("demo")(demo)
app.command("project")(project)
app.command("generate")(generate)
app.command("verify")(verify_command)
app.command("encryption-key")(encryption_key)
app.command("simulate")(simulate)
app.command("import")(import_command)
app.add_typer(tokens_app, name="tokens")
app.add_typer(users_app, name="users")
app.add_typer(projections_app, name="projections")
app.add_typer(export_app, name="export")
app.add_typer(policies_app, name="policies")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
