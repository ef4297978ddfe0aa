"""The CLI's team-server commands: `serve`, `users` and `tokens`."""

# No `from __future__ import annotations`: Typer reads the annotations at run time.
import sys
from typing import Annotated

import typer

from crossdeal.cli.common import console, fail, safe, say_on_stderr
from crossdeal.cli.pipeline import DbOption, _default_team
from crossdeal.errors import CrossdealError


def _password(from_stdin: bool, what: str = "Password") -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise CrossdealError("--password-stdin: standard input held no password")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CrossdealError(
            "not a terminal, so there is no one to ask for a password: pass it on standard "
            "input with --password-stdin"
        )
    text: str = typer.prompt(what, hide_input=True, confirmation_prompt=True, err=True)
    return text


def _users(db: str | None):  # type: ignore[no-untyped-def]
    from crossdeal.auth.store import UserStore
    from crossdeal.pipeline.db import Database

    return UserStore(Database(db))


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[
            str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
        workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
        db: DbOption = None,
        team: Annotated[
            str | None,
            typer.Option(help="The first admin's team, when the first run asks for one."),
        ] = None,
    ) -> None:
        """Run the team server: the JSON API under /api/v1 (OpenAPI at /openapi.json)."""
        import os

        from crossdeal.pipeline.db import Database

        try:
            database = Database(db)  # migrated here, once, before any worker starts
            users = _users(db)
            if users.count() == 0:
                if not sys.stdin.isatty():
                    raise CrossdealError(
                        "the server has no users yet: add the first admin with "
                        "`crossdeal users add EMAIL --role admin`, then run serve again"
                    )
                console().print("No users yet: create the first admin.")
                email = typer.prompt("Email", err=True)
                users.add_user(email, _password(False), team or _default_team(), role="admin")
            where = database.describe()
        except CrossdealError as error:
            fail(error)
        if db:
            # the workers open the database from the environment, as this process did
            os.environ["CROSSDEAL_DATABASE_URL"] = db
        console().print(f"crossdeal server on http://{host}:{port} over {where}")
        import uvicorn

        uvicorn.run(
            "crossdeal.server.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            server_header=False,
            log_level="info",
        )

    users_app = typer.Typer(
        invoke_without_command=True, help="The team server's users (admin tasks)."
    )
    app.add_typer(users_app, name="users")

    @users_app.callback()
    def users_list(ctx: typer.Context, db: DbOption = None) -> None:
        """List the users, by team."""
        if ctx.invoked_subcommand is not None:
            return
        try:
            found = _users(db).users()
        except CrossdealError as error:
            fail(error)
        out = console()
        if not found:
            out.print("No users yet: crossdeal users add EMAIL --team TEAM --role manager")
        for user in found:
            out.print(f"{safe(user.email)}  team {safe(user.team)}  {user.role}")

    @users_app.command("add")
    def users_add(
        email: Annotated[str, typer.Argument(help="Their email: what they sign in with.")],
        team: Annotated[
            str | None, typer.Option(help="Their team (created if new; default 'local').")
        ] = None,
        role: Annotated[str, typer.Option(help="seller, manager or admin.")] = "seller",
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
        db: DbOption = None,
    ) -> None:
        """Add a user; asks for their password on a terminal."""
        try:
            password = _password(password_stdin)
            _users(db).add_user(email, password, team or _default_team(), role)
        except CrossdealError as error:
            fail(error)
        who = safe(email.strip().lower())
        console().print(f"Added {who} to team {safe(team or _default_team())} as {role}.")

    tokens_app = typer.Typer(
        invoke_without_command=True, help="API tokens, for programs that call the server."
    )
    app.add_typer(tokens_app, name="tokens")

    @tokens_app.callback()
    def tokens_list(ctx: typer.Context, db: DbOption = None) -> None:
        """List the API tokens (never the tokens themselves)."""
        if ctx.invoked_subcommand is not None:
            return
        try:
            found = _users(db).tokens()
        except CrossdealError as error:
            fail(error)
        out = console()
        if not found:
            out.print('No tokens: crossdeal tokens create --name "what uses it" --user EMAIL')
        for t in found:
            state = "revoked" if t.revoked else f"last used {t.last_used_at or 'never'}"
            out.print(f"{t.id}  {safe(t.name)}  {safe(t.user)}  {state}")

    @tokens_app.command("create")
    def tokens_create(
        name: Annotated[str, typer.Option(help='What will use it, e.g. "hubspot sync".')],
        user: Annotated[str, typer.Option(help="Whose token: the user's email.")],
        db: DbOption = None,
    ) -> None:
        """Create an API token; it is printed once and only its hash is kept."""
        try:
            token_id, token = _users(db).create_token(user, name)
        except CrossdealError as error:
            fail(error)
        # the token alone on standard output, so that TOKEN=$(crossdeal tokens create ...)
        # holds nothing else
        say_on_stderr(f"Token {token_id} for {safe(user)}; copy it now, it is not shown again:")
        sys.stdout.write(token + "\n")

    @tokens_app.command("revoke")
    def tokens_revoke(
        token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's number.")],
        db: DbOption = None,
    ) -> None:
        """Revoke an API token: programs using it are refused from now on."""
        try:
            _users(db).revoke_token(token_id)
        except CrossdealError as error:
            fail(error)
        console().print(f"Token {token_id} revoked.")
