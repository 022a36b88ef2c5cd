"""Command-line tools: `directory serve`, `load-seed`, accounts, scheduled jobs,
`search-rebuild`, `search-sync`, `sms` and `check-db`."""

import asyncio
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.auth.accounts import (
    AccountError,
    create_demo_users,
    create_user,
    reset_password,
    set_active,
)
from app.core.config import get_settings
from app.core.db import get_engine, get_sessionmaker
from app.core.startup import BengaliTrigramsMissing, check_bengali_trigrams_sync
from app.referrals.jobs import Expired, create_demo_mou, deliver_notifications, run_expiry
from app.referrals.retention import purge_closed

cli = typer.Typer(help="Referral-network service directory tools.", no_args_is_help=True)
console = Console(stderr=True)


@cli.command("load-seed")
def load_seed(
    refresh: bool = typer.Option(False, help="Rewrite seeded records from the files."),
    check_only: bool = typer.Option(False, "--check", help="Validate the files, write nothing."),
    data_dir: Path | None = typer.Option(None, help="Seed data folder (default: the shipped one)."),
    demo: bool | None = typer.Option(
        None, help="Add the demo accounts (default: in development only; never in production)."
    ),
) -> None:
    """Validate every seed file, then load gazetteer, taxonomy and providers (idempotent)."""
    from directory_data.gazetteer import gazetteer_is_loaded, load_gazetteer
    from directory_data.loader import collect, load_taxonomy, write_plan
    from search.refresh import refresh_sync

    seed = collect(data_dir) if data_dir else collect()
    if seed.errors:
        for error in seed.errors:
            console.print(f"[red]error[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        console.print(f"[red]{len(seed.errors)} invalid record(s); nothing was loaded.[/red]")
        raise typer.Exit(code=1)
    console.print(f"seed: {len(seed.plans)} organizations, {seed.service_count} services valid")
    if check_only:
        return
    engine = create_engine(get_settings().database_url)
    with engine.begin() as conn:
        if gazetteer_is_loaded(conn, seed.areas):
            console.print("seed: gazetteer already loaded")
        else:
            with console.status("seed: loading gazetteer (5,700 units with boundaries)"):
                count = load_gazetteer(conn, seed.areas)
            console.print(f"seed: gazetteer loaded, {count} units")
        terms = load_taxonomy(conn, seed.taxonomy)
        written: list[uuid.UUID] = []
        with Progress(
            TextColumn("seed: providers"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            for plan in progress.track(seed.plans):
                written.extend(write_plan(conn, plan, terms, refresh=refresh))
        indexed = refresh_sync(conn, written)
        settings = get_settings()
        if demo is None:
            demo = settings.environment == "development"
        if demo:
            if settings.environment == "production":
                console.print("[red]demo accounts are never created in production[/red]")
                raise typer.Exit(code=1)
            with Session(bind=conn) as session:
                added = create_demo_users(session)
                mou = create_demo_mou(session, today=date.today())
                session.flush()
            console.print(f"seed: {added} demo accounts added (password in the README)")
            if mou:
                console.print(
                    "seed: demo MoU added (Rights Jessore -> District Legal Aid Office, Jashore)"
                )
    engine.dispose()
    skipped = seed.service_count - len(written)
    console.print(
        f"seed: {len(written)} services written, {skipped} already present, {indexed} indexed"
    )


def _account_command(action: Callable[[Session], object], done: str) -> None:
    """Run an account change in one transaction; operator errors become a message and exit 1."""
    engine = create_engine(get_settings().database_url)
    try:
        with Session(engine) as session, session.begin():
            action(session)
    except AccountError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(code=1) from exc
    finally:
        engine.dispose()
    console.print(done)


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@cli.command("create-user")
def create_user_command(
    email: str = typer.Option(..., help="Sign-in email."),
    organization: str = typer.Option(..., help="Organization id, slug or exact name."),
    role: str = typer.Option(..., help="admin, district_admin, org_admin or caseworker."),
    district: list[str] = typer.Option(
        [], help="District (pcode or name) of a district_admin; repeat for several."
    ),
    password: str | None = typer.Option(None, help="Asked for when not given."),
) -> None:
    """Create a user of an organization with one role."""
    secret = _password(password)

    def action(session: Session) -> None:
        create_user(
            session,
            email=email,
            password=secret,
            organization=organization,
            role=role,
            districts=district,
        )

    _account_command(action, f"created {email}")


@cli.command("reset-password")
def reset_password_command(
    email: str = typer.Option(...),
    password: str | None = typer.Option(None, help="Asked for when not given."),
) -> None:
    """Set a new password; the user's current tokens stop working."""
    secret = _password(password)
    _account_command(
        lambda session: reset_password(session, email=email, password=secret),
        f"password of {email} reset",
    )


@cli.command("disable-user")
def disable_user_command(email: str = typer.Option(...)) -> None:
    """Disable a user; their tokens stop working at once."""
    _account_command(
        lambda session: set_active(session, email=email, active=False), f"{email} disabled"
    )


@cli.command("expire")
def expire_command() -> None:
    """Expire MoUs past their validity and cancel referrals unanswered past their due time."""
    result = asyncio.run(_expire_once())
    console.print(f"expired {result.mous} MoUs, cancelled {result.referrals} unanswered referrals")


async def _expire_once() -> "Expired":
    try:
        return await run_expiry()
    finally:
        await get_engine().dispose()


@cli.command("deliver-notifications")
def deliver_notifications_command() -> None:
    """Post the due referral notices to the organizations' webhooks."""

    async def deliver() -> int:
        try:
            return await deliver_notifications()
        finally:
            await get_engine().dispose()

    console.print(f"delivered {asyncio.run(deliver())} notices")


@cli.command("purge-referrals")
def purge_referrals_command(
    months: int | None = typer.Option(
        None, help="Closed longer ago than this (default: REFERRAL_RETENTION_MONTHS)."
    ),
) -> None:
    """Blank case references and free text of long-closed referrals, keeping what reports count."""
    retention = months if months is not None else get_settings().referral_retention_months

    async def purge() -> int:
        try:
            async with get_sessionmaker()() as session, session.begin():
                return await purge_closed(session, months=retention)
        finally:
            await get_engine().dispose()

    console.print(
        f"purged {asyncio.run(purge())} referrals closed more than {retention} months ago"
    )


def _meili_settings() -> tuple[str, str]:
    settings = get_settings()
    if not settings.meili_url:
        console.print("[red]MEILI_URL is not set: there is no Meilisearch to write to[/red]")
        raise typer.Exit(code=2)
    return settings.meili_url, settings.meili_index


@cli.command("search-rebuild")
def search_rebuild_command() -> None:
    """Build a new Meilisearch index from PostgreSQL (settings and every service) and
    swap it in for the current one; searches go on meanwhile."""
    from app.directory.search_engine import meili_client
    from search.sync import rebuild
    from search.worker import current_settings

    _, uid = _meili_settings()

    async def build() -> int:
        try:
            settings = await current_settings(meili_client())
            with Progress(
                TextColumn("indexing services"),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("index", total=None)
                async with get_engine().connect() as connection:
                    return await rebuild(
                        connection,
                        meili_client(),
                        uid,
                        settings,
                        progress=lambda done: bar.update(task, completed=done),
                    )
        finally:
            await get_engine().dispose()

    console.print(f"indexed {asyncio.run(build())} services into {uid}")


@cli.command("search-sync")
def search_sync_command(
    once: bool = typer.Option(False, "--once", help="Apply what is queued, then stop."),
    interval: float = typer.Option(1.0, help="Seconds between passes."),
) -> None:
    """Apply queued directory changes to Meilisearch: the worker, as its own process (set
    SEARCH_SYNC_INTERVAL_SECONDS=0 for the API then)."""
    from app.directory.search_engine import keep_meilisearch_in_step, meili_client, sync_pending

    _, uid = _meili_settings()

    async def run() -> int:
        try:
            if once:
                return await sync_pending(meili_client(), uid)
            await keep_meilisearch_in_step(interval)
            return 0
        finally:
            await get_engine().dispose()

    console.print(f"applied {asyncio.run(run())} queued changes to {uid}")


@cli.command("sms")
def sms_command(
    message: str = typer.Argument(..., help='The text of an SMS, e.g. "LEGAL KALAROA".'),
) -> None:
    """Print the reply the SMS lookup sends to MESSAGE, and how many SMS it costs (nothing is
    stored or sent: try the lookup without a gateway)."""
    from app.directory.search_engine import search_backend
    from app.sms.answer import answer
    from app.sms.segments import LIMITS, count

    async def ask() -> str:
        try:
            async with get_sessionmaker()() as session:
                return (await answer(session, search_backend(session), message)).reply.text
        finally:
            await get_engine().dispose()

    reply = asyncio.run(ask())
    parts = count(reply)
    single, part = LIMITS[parts.encoding]
    room = single if parts.segments == 1 else part * parts.segments
    typer.echo(reply)
    typer.echo(
        f"-- {parts.segments} SMS, {parts.encoding.upper()}, {parts.units} of {room} "
        f"{'characters' if parts.encoding == 'gsm-7' else 'UTF-16 units'}"
    )


@cli.command("sms-forget")
def sms_forget_command() -> None:
    """Forget the SMS senders' hashes older than SMS_FORGET_AFTER_HOURS (the API does this
    every EXPIRY_INTERVAL_MINUTES by itself)."""
    from app.sms.store import forget_once

    async def run() -> int:
        try:
            return await forget_once()
        finally:
            await get_engine().dispose()

    console.print(f"forgot {asyncio.run(run())} SMS messages")


@cli.command("check-db")
def check_db() -> None:
    """Fail unless the database can make trigrams of Bengali text."""
    engine = create_engine(get_settings().database_url)
    try:
        with engine.connect() as conn:
            check_bengali_trigrams_sync(conn)
    except BengaliTrigramsMissing as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=1) from exc
    finally:
        engine.dispose()
    console.print("database: Bengali trigrams OK")


@cli.command("serve")
def serve_command(
    host: str | None = typer.Option(None, help="Address to listen on (default: SERVER_HOST)."),
    port: int | None = typer.Option(
        None, help="Port to listen on, 0 for any free one (default: SERVER_PORT)."
    ),
    workers: int | None = typer.Option(
        None, min=1, help="Worker processes (default: WEB_CONCURRENCY)."
    ),
) -> None:
    """Serve the API with the request limits, timeouts and trusted proxies of the settings."""
    from app.server import serve

    settings = get_settings()
    serve(
        host=host if host is not None else settings.server_host,
        port=port if port is not None else settings.server_port,
        workers=workers if workers is not None else settings.web_concurrency,
        settings=settings,
    )


def main() -> None:
    """Entry point of the `directory` command."""
    cli(sys.argv[1:])
