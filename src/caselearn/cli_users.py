"""CLI commands for accounts, API tokens and the audit log. The CLI is the machine operator's
tool (it holds the database already), so it acts as the system."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselearn.cli import app, console, fail, open_app, print_json
from caselearn.security.policy import ROLES
from caselearn.services import InvalidChange, NotFound

users_app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
ROLE_HELP = "One of: " + ", ".join(ROLES) + "."


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The person's (or script's) name.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    committee: Annotated[str | None, typer.Option(help="Committee of a lead or member.")] = None,
    token: Annotated[
        bool, typer.Option("--token", help="Print a new API token for scripts (shown once).")
    ] = False,
    password: Annotated[
        str | None,
        typer.Option(help="Password (asked for when left out and no --token is given)."),
    ] = None,
) -> None:
    """Add an account. With --token, print an API token, sent as Authorization: Bearer TOKEN.

    Example: caselearn users add "Ann Lee" --role lead --committee "Riverside CPC"
    """
    if password is None and not token:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, secret = open_app().add_user(
            name, role, committee=committee, password=password, token=token
        )
    except InvalidChange as exc:
        fail(str(exc))
        return
    console.print(
        f"added {user.name} ({user.role}{', ' + user.committee if user.committee else ''})"
    )
    if secret:
        typer.echo(secret)


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every account with its role, committee and state.

    Example: caselearn users list --json
    """
    users = open_app().list_users()
    if as_json:
        print_json([u.model_dump(mode="json") for u in users])
        return
    table = Table(title="Accounts")
    for column in ("name", "role", "committee", "state", "last sign-in"):
        table.add_column(column)
    for u in users:
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never"
        table.add_row(u.name, u.role, u.committee or "", state, last)
    console.print(table)


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="Account name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable it again instead.")] = False,
) -> None:
    """Disable an account: its sessions end and its tokens stop working at once.

    Example: caselearn users disable "Ann Lee"
    """
    try:
        user = open_app().disable_user(name, disabled=not enable)
    except NotFound as exc:
        fail(str(exc))
        return
    console.print(f"{user.name}: {'disabled' if user.disabled else 'enabled'}")


@users_app.command("set-role")
def users_set_role(
    name: Annotated[str, typer.Argument(help="Account name.")],
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
    committee: Annotated[str | None, typer.Option(help="Committee of a lead or member.")] = None,
) -> None:
    """Change an account's role (and committee); its sessions end.

    Example: caselearn users set-role "Ann Lee" analyst
    """
    try:
        user = open_app().set_role(name, role, committee=committee)
    except (InvalidChange, NotFound) as exc:
        fail(str(exc))
        return
    console.print(f"{user.name}: {user.role}{', ' + user.committee if user.committee else ''}")


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="Account name.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Print a new API token for an account (shown once).

    Example: caselearn users token "nightly-export" --label "report script"
    """
    try:
        typer.echo(open_app().new_api_token(name, label))
    except NotFound as exc:
        fail(str(exc))


@app.command()
def audit(
    actor: Annotated[str | None, typer.Option(help="Only this person.")] = None,
    action: Annotated[
        str | None,
        typer.Option(
            help="view, download, export, export-unredacted, edit, login, login_failed, ..."
        ),
    ] = None,
    review: Annotated[int | None, typer.Option(help="Only this review.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write CSV to FILE.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Entries to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the append-only audit log (newest first), or export it as CSV.

    Example: caselearn audit --action download --since 2026-01-01 -o downloads.csv
    """
    service = open_app()
    try:
        filters = {
            "actor": actor,
            "action": action,
            "review_id": review,
            "since": dt.date.fromisoformat(since) if since else None,
        }
    except ValueError:
        fail(f"--since {since!r} is not a date (YYYY-MM-DD)")
        return
    if output is not None:
        output.write_text(service.audit_csv(**filters), encoding="utf-8")
        console.print(f"wrote {output}")
        return
    result = service.audit_entries(**filters, per_page=limit)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    table = Table(title=f"Audit log: {result.total} entries")
    for column in ("at", "who", "action", "what", "status", "review"):
        table.add_column(column, overflow="fold")
    for e in result.entries:
        review_text = (
            f"{e.review_id}{' (unpublished)' if e.unpublished else ''}" if e.review_id else ""
        )
        table.add_row(
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.method} {e.path}",
            str(e.status or ""),
            review_text,
        )
    console.print(table)
