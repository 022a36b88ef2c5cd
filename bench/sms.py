"""The SMS lookup's answer time (`python -m bench.sms`): each question answered on PostgreSQL
and on Meilisearch side by side, interleaved so that both see the same machine, and the whole
webhook path (keyed hashes, limits, counts: `store.receive`) on PostgreSQL in a transaction
that is rolled back. Telerivet allows 10 s for the answer; medians and 95th percentiles in ms."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.sms.answer import answer
from app.sms.store import Inbound, receive
from search.meili import MeiliSearch, make_search_http
from search.postgres import PostgresSearch

console = Console()
QUESTIONS = [
    "LEGAL KALAROA",
    "আইন কলারোয়া",
    "HEALTH JASHORE",
    "স্বাস্থ্য যশোর",
    "LAWYR KOLAROA",  # a typo in the need and a misspelt place
    "SHELTER BANDARBAN",  # nothing near: the helplines
    "HELP",
]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _row(samples: list[float]) -> tuple[str, str]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f}", f"{p95:.1f}"


async def run(args: argparse.Namespace) -> None:
    engine = create_async_engine(args.database_url, pool_size=2)
    times: dict[str, dict[str, list[float]]] = {
        q: {"pg": [], "meili": [], "webhook": []} for q in QUESTIONS
    }
    async with make_search_http(args.meili_url, args.meili_key, 10) as http:
        meili_of = (lambda: MeiliSearch(http, args.meili_index)) if args.meili_url else None
        for _ in range(args.rounds):
            for question in QUESTIONS:
                async with engine.connect() as conn:
                    transaction = await conn.begin()  # rolled back: the bench changes nothing
                    session = AsyncSession(bind=conn, join_transaction_mode="create_savepoint")
                    started = time.perf_counter()
                    await answer(session, PostgresSearch(session), question)
                    times[question]["pg"].append(_ms(started))
                    if meili_of:
                        started = time.perf_counter()
                        await answer(session, meili_of(), question)
                        times[question]["meili"].append(_ms(started))
                    started = time.perf_counter()
                    inbound = Inbound("bench", "+8801700000000", question, uuid.uuid4().hex)
                    await receive(session, PostgresSearch(session), inbound)
                    times[question]["webhook"].append(_ms(started))
                    await transaction.rollback()
                    await session.close()
    await engine.dispose()
    table = Table(title=f"SMS answers{args.label}, {args.rounds} rounds: median / p95 ms")
    for column in ("question", "PostgreSQL", "Meilisearch", "pg/meili", "webhook (pg)"):
        table.add_column(column, justify="left" if column == "question" else "right")
    for question, by in times.items():
        pg, meili, hook = (
            _row(by["pg"]),
            _row(by["meili"]) if by["meili"] else ("-", "-"),
            _row(by["webhook"]),
        )
        ratio = f"{float(pg[0]) / float(meili[0]):.2f}" if by["meili"] else "-"
        table.add_row(question, " / ".join(pg), " / ".join(meili), ratio, " / ".join(hook))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--meili-url", default=None)
    parser.add_argument("--meili-key", default=None)
    parser.add_argument("--meili-index", default="services")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    args.label = f" {args.label}" if args.label else ""
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
