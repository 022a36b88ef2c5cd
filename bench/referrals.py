"""Referral benchmark (`python -m bench.referrals`): the report over many referrals, and
transitions per second over HTTP with concurrent clients.

Synthetic referrals join two organizations of the seed, are marked with case references starting
`BENCH-`, and are made by SQL in bulk; the transitions go through the API like a caseworker's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from urllib.parse import urlsplit

import httpx
import psycopg
from rich.console import Console
from sqlalchemy.engine import make_url

from app.auth.models import User
from app.auth.service import issue_token
from app.core.config import get_settings

console = Console()
REFERRER, PROVIDER = "dhaka-ahsania-mission", "district-legal-aid-office-jashore"
BENCH_USER = "bench-{slug}@bench.invalid"


def _conninfo() -> str:
    url = make_url(get_settings().database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _ids(conn: psycopg.Connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    row = conn.execute(
        """SELECT r.id, p.id, s.id FROM organization r, organization p, service s
           WHERE r.slug = %s AND p.slug = %s AND s.slug = %s""",
        (REFERRER, PROVIDER, f"{PROVIDER}--legal-aid"),
    ).fetchone()
    assert row is not None, "load the seed first"
    return row[0], row[1], row[2]


def generate(count: int) -> None:
    """Top the database up to `count` synthetic referrals (statuses, sexes, age bands, months)."""
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        have = conn.execute(
            "SELECT count(*) FROM referral WHERE case_ref LIKE 'BENCH-%'"
        ).fetchone()
        missing = count - (have[0] if have else 0)
        if missing <= 0:
            console.print(f"referrals: {count:,} synthetic referrals present")
            return
        referring, provider, service = _ids(conn)
        started = time.perf_counter()
        conn.execute(
            """
            INSERT INTO referral (id, version, case_ref, client_sex, client_age_band,
              referring_organization_id, provider_organization_id, service_id, category,
              outside_mou, mou_match, reason, priority, consent_given, consent_obtained_at, status,
              requested_at,
              due_by, accepted_at, closed_at, outcome_free_of_cost_honoured, outcome_completed_on,
              created_by, created_at, updated_at)
            SELECT gen_random_uuid(), 1, 'BENCH-' || g,
              (ARRAY['female','male','other','unknown'])[1 + g %% 4],
              (ARRAY['0-11','12-17','18-24','25-49','50+','unknown'])[1 + g %% 6],
              %(r)s, %(p)s, %(s)s, 'legal_aid', true, 'no_mou', 'synthetic', 'routine', true,
              t, st, t, t + interval '72 hours',
              CASE WHEN st IN ('accepted','in_progress','completed','failed')
                THEN t + (g %% 90) * interval '1 hour' END,
              CASE WHEN st IN ('completed','failed','rejected','cancelled')
                THEN t + interval '10 days' END,
              CASE WHEN st = 'completed' THEN g %% 5 <> 0 END,
              CASE WHEN st = 'completed' THEN (t + interval '10 days')::date END,
              gen_random_uuid(), t, t
            FROM (SELECT g, now() - (g %% 730) * interval '1 day' AS t,
                         (ARRAY['requested','accepted','in_progress','completed','completed','failed',
                                'rejected','cancelled'])[1 + g %% 8] AS st
                  FROM generate_series(%(start)s, %(stop)s) g) x
            """,
            {
                "r": referring,
                "p": provider,
                "s": service,
                "start": count - missing + 1,
                "stop": count,
            },
        )
        conn.execute("ANALYZE referral")
        console.print(
            f"referrals: {missing:,} synthetic referrals added"
            f" in {time.perf_counter() - started:.1f} s"
        )


def _token(conn: psycopg.Connection, slug: str) -> str:
    """A caseworker of the organization (made once) and a token for it."""
    email = BENCH_USER.format(slug=slug)
    org = conn.execute("SELECT id FROM organization WHERE slug = %s", (slug,)).fetchone()
    assert org is not None
    row = conn.execute("SELECT id FROM app_user WHERE email = %s", (email,)).fetchone()
    user_id = row[0] if row else uuid.uuid4()
    if row is None:
        conn.execute(
            "INSERT INTO app_user (id, email, password_hash, organization_id, role, active,"
            " tokens_valid_after, created_at, updated_at) VALUES (%s, %s, 'x', %s, 'caseworker',"
            " true, now() - interval '1 day', now(), now())",
            (user_id, email, org[0]),
        )
    return issue_token(
        User(id=user_id, email=email, organization_id=org[0], role="caseworker")
    ).access_token


async def _report(base_url: str, token: str, runs: int) -> list[float]:
    timings = []
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        for group_by in ["", "sex,age_band", "month", "status"] * runs:
            started = time.perf_counter()
            response = await http.get(
                "/reports/referrals",
                params={"group_by": group_by} if group_by else {},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


async def _transitions(
    base_url: str, referrer: str, provider: str, service: uuid.UUID, clients: int, per_client: int
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    failures = 0

    async def one_client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        for _ in range(per_client):
            body = {
                "case_ref": f"BT-2026-{uuid.uuid4().hex[:8]}",
                "client": {"sex": "female", "age_band": "18-24"},
                "service_id": str(service),
                "reason": "bench",
                "consent": {"given": True, "obtained_at": "2026-01-01T00:00:00Z"},
            }
            created = await http.post(
                "/referrals", json=body, headers={"Authorization": f"Bearer {referrer}"}
            )
            if created.status_code != 201:
                failures += 1
                continue
            etag, rid = created.headers["etag"], created.json()["id"]
            for move in (
                {"to": "accepted"},
                {"to": "in_progress"},
                {
                    "to": "completed",
                    "outcome": {
                        "services_delivered": "bench",
                        "completed_on": "2026-01-02",
                        "free_of_cost_honoured": True,
                    },
                },
            ):
                started = time.perf_counter()
                response = await http.post(
                    f"/referrals/{rid}/transitions",
                    json=move,
                    headers={"Authorization": f"Bearer {provider}", "If-Match": etag},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    failures += 1
                    break
                etag = response.headers["etag"]

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        await asyncio.gather(*(one_client(http) for _ in range(clients)))
    return latencies, time.perf_counter() - started, failures


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8001")
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--per-client", type=int, default=10, help="referrals each client takes through 3 moves"
    )
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    host = urlsplit(args.base_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("only loopback URLs are benchmarked")
    generate(args.referrals)
    if args.generate_only:
        return
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        referrer, provider = _token(conn, REFERRER), _token(conn, PROVIDER)
        _, _, service = _ids(conn)
    reports = asyncio.run(_report(args.base_url, referrer, runs=3))
    console.print(
        f"report over {args.referrals:,} referrals ({len(reports)} requests, 4 groupings): "
        f"p50 {statistics.median(reports):.0f} ms, max {max(reports):.0f} ms"
    )
    latencies, seconds, failures = asyncio.run(
        _transitions(args.base_url, referrer, provider, service, args.concurrency, args.per_client)
    )
    console.print(
        f"transitions: {len(latencies)} in {seconds:.1f} s with {args.concurrency} clients "
        f"(also {args.concurrency * args.per_client} creations): {len(latencies) / seconds:.1f}/s, "
        f"p50 {_pct(latencies, 0.5):.0f} ms, p95 {_pct(latencies, 0.95):.0f} ms,"
        f" failures {failures}"
    )
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
