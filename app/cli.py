"""Command-line tools: `directory load-seed`, `directory check-db`."""

import sys
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine

from app.core.config import get_settings
from app.core.startup import BengaliTrigramsMissing, check_bengali_trigrams_sync

cli = typer.Typer(help="Referral-network service directory tools.", no_args_is_help=True)
console = Console(stderr=True)


@cli.command("load-seed")
def load_seed(
    refresh: bool = typer.Option(False, help="Rewrite seeded records from the files."),
    check_only: bool = typer.Option(False, "--check", help="Validate the files, write nothing."),
    data_dir: Path | None = typer.Option(None, help="Seed data folder (default: the shipped one)."),
) -> None:
    """Validate every seed file, then load gazetteer, taxonomy and providers (idempotent)."""
    from directory_data.gazetteer import gazetteer_is_loaded, load_gazetteer
    from directory_data.loader import collect, load_taxonomy, refresh_search, write_plan

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
        indexed = refresh_search(conn, written)
    engine.dispose()
    skipped = seed.service_count - len(written)
    console.print(
        f"seed: {len(written)} services written, {skipped} already present, {indexed} indexed"
    )


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


def main() -> None:
    """Entry point of the `directory` command."""
    cli(sys.argv[1:])
