"""`flask --app wsgi ...` commands: parse, call a service, print."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from directory import accounts, bulk, demo, mail, matchmaking
from directory.extensions import db
from directory.introductions import clock
from directory.introductions.commands import RuleError
from directory.models import Business, User
from directory.networks import service as network_service
from directory.opendata import coops_uk
from matching.vocab import STAGES

directory_cli = AppGroup("directory", help="Import and export the directory as CSV.")


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["peerlink", "coops-uk"]),
    default="peerlink",
    show_default=True,
    help="peerlink: our CSV (all rows or none). coops-uk: Co-operatives UK's open dataset.",
)
@click.option(
    "--all-nations", is_flag=True, help="coops-uk: also import rows in Wales, Scotland, NI."
)
def import_command(path: Path, file_format: str, all_nations: bool) -> None:
    """Import businesses from a CSV file: all rows, or none if any row is bad.

    A business already in the directory (same name, ignoring case and punctuation) keeps
    whatever the file leaves empty or has no column for; write (clear) in a cell to empty
    that field.
    """
    started = time.perf_counter()
    if file_format == "coops-uk":
        with path.open(newline="", encoding="utf-8-sig") as stream:
            coops = coops_uk.import_coops_uk(stream, all_nations=all_nations)
        click.echo("\n".join(coops.lines()))
        click.echo(f"Done in {time.perf_counter() - started:.1f} s.")
        return
    try:
        report = bulk.import_csv(io.StringIO(bulk.decode(path.read_bytes()), newline=""))
    except bulk.ImportProblems as exc:
        click.echo(f"Import failed, nothing was changed. {len(exc.problems)} problem(s):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(
        f"Imported {report.created + report.updated} businesses from {path.name} "
        f"({report.created} new, {report.updated} updated) in "
        f"{time.perf_counter() - started:.1f} s."
    )


@directory_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--include-contacts",
    is_flag=True,
    help="Also write contact emails and phones (a private backup: keep it safe).",
)
def export_command(path: Path, include_contacts: bool) -> None:
    """Export every business to a CSV file that `directory import` reads back.

    Contact details are left out unless asked for: they are shared only through accepted
    introductions.
    """
    with path.open("w", newline="", encoding="utf-8") as stream:
        n = bulk.export_csv(stream, include_contacts=include_contacts)
    note = " with contact details" if include_contacts else " (without contact details)"
    click.echo(f"Exported {n} businesses to {path}{note}.")


@directory_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the full-text search index from the business tables.

    Every save keeps the index in step; this is for rows written by hand in SQL. It raises the
    directory version too, so that every worker reads the directory's search columns again.
    """
    from directory import search_index, search_snapshot

    with db.engine.begin() as connection:
        n = search_index.rebuild(connection)
        search_snapshot.raise_version(connection)
    click.echo(f"Indexed {n} businesses for search.")


@click.command("demo")
@with_appcontext
@click.option("--businesses", "n", default=7000, show_default=True, help="How many businesses.")
@click.option("--seed", default=1, show_default=True, help="Same seed, same directory.")
@click.option("--password", default=None, help="Password for the demo accounts (else random).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the directory has businesses.")
def demo_command(n: int, seed: int, password: str | None, if_empty: bool) -> None:
    """Load a realistic synthetic directory with networks and demo accounts."""
    count = db.session.execute(select(func.count()).select_from(Business)).scalar()
    if if_empty and count:
        click.echo(f"The directory already has {count} businesses; demo data not loaded.")
        credentials = Path(current_app.instance_path) / "demo-accounts.txt"
        if credentials.exists():
            click.echo(credentials.read_text().rstrip())
        return
    started = time.perf_counter()
    accounts = demo.load(n=n, seed=seed, password=password)
    lines = [
        "Demo accounts (email / password):",
        f"  member:      {accounts.member[0]} / {accounts.member[1]}",
        f"  mentor:      {accounts.mentor[0]} / {accounts.mentor[1]}",
        f"  coordinator: {accounts.coordinator[0]} / {accounts.coordinator[1]}",
        f"  other networks' coordinators: coordinator.<network slug>@peerlink.example / "
        f"{accounts.coordinator[1]}",
        f"  admin:       {accounts.admin[0]} / {accounts.admin[1]}",
        f"  evaluator:   {accounts.evaluator[0]} / {accounts.evaluator[1]}",
    ]
    (Path(current_app.instance_path) / "demo-accounts.txt").write_text("\n".join(lines) + "\n")
    click.echo(f"Loaded {n} demo businesses in {time.perf_counter() - started:.1f} s.")
    click.echo("\n".join(lines))


matching_cli = AppGroup("matching", help="Suggest peers and mentors from the command line.")
KIND = click.Choice(["peer", "mentor"])


def _suggestion_lines(suggestions) -> list[str]:
    lines = []
    for rank, s in enumerate(suggestions, 1):
        lines.append(f"{rank:>2}. {s.name}  (score {s.score:.2f}, {s.distance_km:.0f} km)")
        lines.extend(f"      - {reason}" for reason in s.reasons)
    return lines


@matching_cli.command("suggest")
@click.argument("business")
@click.option("--kind", type=KIND, default="peer", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--max-km", type=click.FloatRange(min=1), default=None, help="Only this close.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, best first.")
def suggest_command(
    business: str, kind: str, limit: int, max_km: float | None, as_json: bool
) -> None:
    """Suggest peers or mentors for BUSINESS (an id, a slug or an exact name)."""
    row = matchmaking.find_business(business)
    if row is None:
        click.echo(f"No business with id, slug or name “{business}”.", err=True)
        sys.exit(1)
    suggestions = matchmaking.suggest_for(row, kind, limit, max_km)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in suggestions], ensure_ascii=False, indent=2))
        return
    click.echo(f"{kind.capitalize()}s for {row.name} ({row.public_location}):")
    click.echo("\n".join(_suggestion_lines(suggestions)) or "  none found")


@matching_cli.command("batch")
@click.option("--kind", type=KIND, default="peer", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(list(STAGES)),
    help="Only businesses at this stage (repeatable).",
)
def batch_command(kind: str, limit: int, out: Path, stages: tuple[str, ...]) -> None:
    """A matching round: one JSON line of suggestions per business, written to --out."""
    started = time.perf_counter()
    n = 0
    with out.open("w", encoding="utf-8") as stream:
        for business_id, name, suggestions in matchmaking.batch(kind, limit, stages):
            record = {
                "id": business_id,
                "name": name,
                "matches": [s.to_dict() for s in suggestions],
            }
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    click.echo(
        f"Wrote suggestions for {n} businesses to {out} in {time.perf_counter() - started:.1f} s."
    )


@matching_cli.command("refit")
def refit_command() -> None:
    """Refit the text model on the whole directory, here and in every running worker.

    Workers also refit on their own, in the background, once a tenth of the directory has
    changed since their last fit; this is for after a large import, or from a nightly cron.
    """
    size, seconds = matchmaking.request_refit()
    click.echo(f"Refitted on {size} listed businesses in {seconds:.1f} s; workers follow.")


introductions_cli = AppGroup("introductions", help="The introductions workflow's clock.")


@introductions_cli.command("tick")
@click.option("--now", type=click.DateTime(), default=None, help="Pretend it is this time (UTC).")
def tick_command(now) -> None:
    """Send reminders, expire unanswered requests and ask how introductions went.

    Safe to run from cron as often as you like: each step happens once.
    """
    report = clock.tick(now=now)
    delivered = mail.deliver_pending() if current_app.config.get("MAIL_SERVER") else None
    click.echo(
        f"{report.reminded} reminded, {report.expired} expired, {report.followed_up} followed up."
    )
    if delivered is not None:
        click.echo(
            f"Email: {delivered.sent} sent, {delivered.failed} failed, {delivered.waiting} waiting."
        )


users_cli = AppGroup("users", help="Accounts and their roles.")
networks_cli = AppGroup("networks", help="Peer networks and their coordinators.")


def _user_or_exit(email: str):
    from directory import accounts

    user = accounts.find_user(email)
    if user is None:
        click.echo(f"No account with email {email}.", err=True)
        sys.exit(1)
    return user


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, to recognise it later.")
def token_command(email: str, name: str) -> None:
    """Create an API token for EMAIL and print it once (only its hash is kept)."""
    from directory.api import tokens

    token, secret = tokens.issue_token(_user_or_exit(email), name)
    click.echo(secret)
    click.echo(f"Token {token.id} ({token.prefix}...) for {email}: copy it now.", err=True)


@users_cli.command("tokens")
@click.argument("email")
def tokens_command(email: str) -> None:
    """List EMAIL's API tokens with their last use."""
    from directory.api import tokens

    found = tokens.tokens_of(_user_or_exit(email))
    for t in found:
        used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
        state = "active" if t.active else f"revoked {t.revoked_at:%Y-%m-%d}"
        click.echo(f"{t.id:>5}  {t.prefix}...  {t.name or '-'}  last used {used}  {state}")
    if not found:
        click.echo(f"{email} has no API tokens.")


@users_cli.command("revoke-token")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke_token_command(email: str, token_id: int) -> None:
    """Revoke EMAIL's API token TOKEN_ID (see `users tokens`)."""
    from directory.api import tokens

    token = tokens.owned_token(_user_or_exit(email), token_id)
    if token is None:
        click.echo(f"{email} has no token {token_id}.", err=True)
        sys.exit(1)
    tokens.revoke(token)
    click.echo(f"Token {token_id} ({token.prefix}...) is revoked.")


def _networks(slugs: tuple[str, ...]) -> list:
    found = []
    for slug in slugs:
        network = network_service.find_network(slug)
        if network is None:
            known = ", ".join(n.slug for n in network_service.all_networks())
            raise click.BadParameter(
                f"no network {slug!r} (known: {known})", param_hint="--network"
            )
        found.append(network)
    return found


@users_cli.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(User.ROLES), default="member", show_default=True)
@click.option("--network", "networks", multiple=True, help="Slug of a network they coordinate.")
@click.option("--password", default=None, help="Else a one-time set-password link is printed.")
def users_add_command(
    email: str, role: str, networks: tuple[str, ...], password: str | None
) -> None:
    """Create or update the account EMAIL with a role (and the networks it coordinates)."""
    try:
        user, created = network_service.add_user(email, role, _networks(networks), password)
    except RuleError as exc:
        raise click.UsageError(str(exc)) from None
    coordinates = ", ".join(n.name for n in user.networks)
    click.echo(
        f"{'Created' if created else 'Updated'} {user.email} ({user.role})"
        + (f", coordinator of {coordinates}" if coordinates else "")
        + "."
    )
    if not password:
        click.echo(f"One-time link to choose a password: {network_service.set_password_link(user)}")


@networks_cli.command("list")
def networks_list_command() -> None:
    """Every network with its member count and coordinators."""
    counts = network_service.member_counts()
    for network in network_service.all_networks():
        people = ", ".join(u.email for u in network.coordinators) or "none (the admins review)"
        n = counts.get(network.id, 0)
        click.echo(f"{network.slug}: {network.name} ({n} member{'' if n == 1 else 's'})")
        click.echo(f"    coordinators: {people}")


@networks_cli.command("add")
@click.argument("name")
@click.option("--slug", default="", help="Short name for links (default: from the name).")
@click.option("--coordinator", "coordinators", multiple=True, help="Email of a coordinator.")
def networks_add_command(name: str, slug: str, coordinators: tuple[str, ...]) -> None:
    """Add a network NAME, optionally with coordinators (existing accounts)."""
    users = [accounts.find_user(email) for email in coordinators]
    if None in users:
        missing = [e for e, u in zip(coordinators, users, strict=True) if u is None]
        raise click.UsageError(f"No account for {', '.join(missing)}: use `users add` first.")
    try:
        network = network_service.add_network(slug, name)
    except RuleError as exc:
        raise click.UsageError(str(exc)) from None
    for user in users:
        assert user is not None, "missing accounts were refused above"
        network_service.add_coordinator(network, user)
    click.echo(f"Added {network.name} ({network.slug}).")


@networks_cli.command("remove-coordinator")
@click.argument("slug")
@click.argument("email")
def networks_remove_coordinator_command(slug: str, email: str) -> None:
    """Stop EMAIL coordinating the network SLUG (their account stays)."""
    network = _networks((slug,))[0]
    user = accounts.find_user(email)
    if user is None or network not in user.networks:
        raise click.UsageError(f"{email} does not coordinate {network.name}.")
    network_service.remove_coordinator(network, user)
    click.echo(f"{user.email} no longer coordinates {network.name}.")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(networks_cli)
    app.cli.add_command(directory_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(matching_cli)
    app.cli.add_command(introductions_cli)
