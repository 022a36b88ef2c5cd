"""The write path under faults and races, measured against a running API (`make faults`):

1. concurrent retries with one `Idempotency-Key` (16 clients, 4 rounds): statuses, referrals made;
2. a quota of 3 and 16 concurrent referrals: how many are covered, what the report counts;
3. the API killed with SIGKILL under a load of writes, then restarted: answered writes without
   their referral or their audit row, committed referrals without an audit row;
4. PostgreSQL stopped for a few seconds under load, then started: status codes while it is down
   and after, and how long the API takes to answer again.

The API is started and killed by this script (`--serve` is the command line), on a database of
the seed (`DATABASE_URL`); PostgreSQL is stopped and started with `scripts/pg.sh`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from app.auth.models import User
from app.auth.service import issue_token
from app.core.config import get_settings

console = Console()
REFERRER, PROVIDER = "dhaka-ahsania-mission", "district-legal-aid-office-jashore"
SERVICE = f"{PROVIDER}--legal-aid"
CLIENTS = 16


def conninfo() -> str:
    url = make_url(get_settings().database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def accounts() -> tuple[list[dict[str, str]], tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """A caseworker of the referrer, one of the provider and an admin (their headers), and the
    ids of the referrer, the provider and its service."""
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        row = conn.execute(
            """SELECT r.id, p.id, s.id FROM organization r, organization p, service s
               WHERE r.slug = %s AND p.slug = %s AND s.slug = %s""",
            (REFERRER, PROVIDER, SERVICE),
        ).fetchone()
        assert row is not None, "load the seed first"
        referrer_id, provider_id, service_id = row
        headers = []
        for org, role in (
            (referrer_id, "caseworker"),
            (provider_id, "caseworker"),
            (referrer_id, "admin"),
        ):
            user = User(
                id=uuid.uuid4(),
                email=f"faults-{uuid.uuid4().hex[:8]}@faults.invalid",
                organization_id=org,
                role=role,
            )
            conn.execute(
                "INSERT INTO app_user"
                " (id, email, password_hash, organization_id, role, tokens_valid_after) "
                "VALUES (%s, %s, 'x', %s, %s, now() - interval '1 minute')",
                (user.id, user.email, org, role),
            )
            headers.append({"Authorization": f"Bearer {issue_token(user).access_token}"})
    return headers, (referrer_id, provider_id, service_id)


def body(service_id: uuid.UUID, prefix: str) -> dict[str, Any]:
    return {
        "case_ref": f"{prefix}-2026-{uuid.uuid4().hex[:8]}",
        "client": {"sex": "female", "age_band": "18-24"},
        "service_id": str(service_id),
        "reason": "Legal advice on compensation",
        "consent": {
            "given": True,
            "obtained_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
    }


class Api:
    """The API process this script starts, kills and restarts."""

    def __init__(self, command: list[str], base: str) -> None:
        self.command, self.base = command, base
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the API did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()


async def idempotency(
    http: httpx.AsyncClient, referrer: dict[str, str], service_id: uuid.UUID
) -> dict[str, Any]:
    statuses: collections.Counter[int] = collections.Counter()
    made = 0
    for _ in range(4):
        payload = body(service_id, "KEY")
        headers = {**referrer, "Idempotency-Key": str(uuid.uuid4())}
        responses = await asyncio.gather(
            *(http.post("/referrals", json=payload, headers=headers) for _ in range(CLIENTS))
        )
        statuses.update(r.status_code for r in responses)
        with psycopg.connect(conninfo()) as conn:
            row = conn.execute(
                "SELECT count(*) FROM referral WHERE case_ref = %s", (payload["case_ref"],)
            ).fetchone()
            made += row[0] if row else 0
    return {"statuses": dict(statuses), "referrals made (of 4)": made}


async def quota(
    http: httpx.AsyncClient,
    referrer: dict[str, str],
    admin: dict[str, str],
    ids: tuple[uuid.UUID, uuid.UUID, uuid.UUID],
) -> dict[str, Any]:
    referrer_id, provider_id, service_id = ids
    mou = await http.post(
        "/mous",
        headers=admin,
        json={
            "reference": f"FAULTS-{uuid.uuid4().hex[:6]}",
            "referring_organization_id": str(referrer_id),
            "provider_organization_id": str(provider_id),
            "valid_from": "2026-01-01",
            "status": "active",
            "services": [
                {
                    "category": "legal_aid",
                    "service_id": str(service_id),
                    "quota": 3,
                    "quota_period": "year",
                }
            ],
        },
    )
    mou.raise_for_status()
    responses = await asyncio.gather(
        *(
            http.post("/referrals", json=body(service_id, "QUOTA"), headers=referrer)
            for _ in range(CLIENTS)
        )
    )
    matches = collections.Counter(
        r.json().get("mou_match") for r in responses if r.status_code == 201
    )
    report = await http.get(f"/mous/{mou.json()['id']}/report", headers=referrer)
    used = [q["used_this_period"] for q in report.json()["quotas"]]
    # the MoU stays: end it so that the other measurements run outside it
    await http.patch(f"/mous/{mou.json()['id']}", json={"status": "terminated"}, headers=admin)
    return {
        "statuses": dict(collections.Counter(r.status_code for r in responses)),
        "mou_match": dict(matches),
        "report used_this_period": used,
    }


async def load(
    http: httpx.AsyncClient,
    referrer: dict[str, str],
    service_id: uuid.UUID,
    prefix: str,
    until: float,
    answered: list[str],
    statuses: list[tuple[float, int]],
) -> None:
    while time.monotonic() < until:
        try:
            response = await http.post(
                "/referrals", json=body(service_id, prefix), headers=referrer
            )
        except httpx.TransportError:
            statuses.append((time.monotonic(), 0))
            await asyncio.sleep(0.05)
            continue
        statuses.append((time.monotonic(), response.status_code))
        if response.status_code == 201:
            answered.append(response.json()["id"])


def missing_records(answered: list[str], prefix: str) -> dict[str, int]:
    with psycopg.connect(conninfo()) as conn:
        present = {
            str(r[0])
            for r in conn.execute("SELECT id FROM referral WHERE id = ANY(%s::uuid[])", (answered,))
        }
        audited = {
            r[0]
            for r in conn.execute(
                "SELECT unnest(record_ids) FROM audit_event"
                " WHERE path = '/referrals' AND method = 'POST'"
            )
        }
        committed = [
            str(r[0])
            for r in conn.execute(
                "SELECT id FROM referral WHERE case_ref LIKE %s", (prefix + "-%",)
            )
        ]
    return {
        "answered 201": len(answered),
        "answered but not committed": len(set(answered) - present),
        "answered without audit row": len(set(answered) - audited),
        "committed": len(committed),
        "committed without audit row": len(set(committed) - audited),
    }


async def kill_under_load(
    api: Api, referrer: dict[str, str], service_id: uuid.UUID
) -> dict[str, int]:
    answered: list[str] = []
    statuses: list[tuple[float, int]] = []
    async with httpx.AsyncClient(base_url=api.base, timeout=10) as http:
        until = time.monotonic() + 4
        tasks = [
            asyncio.create_task(load(http, referrer, service_id, "KILL", until, answered, statuses))
            for _ in range(CLIENTS)
        ]
        await asyncio.sleep(2)
        api.kill()
        await asyncio.gather(*tasks)
    api.start()
    return missing_records(answered, "KILL")


async def database_outage(
    api: Api, referrer: dict[str, str], service_id: uuid.UUID, down_seconds: float
) -> dict[str, Any]:
    answered: list[str] = []
    statuses: list[tuple[float, int]] = []
    pg = os.path.join(os.path.dirname(__file__), "..", "scripts", "pg.sh")
    async with httpx.AsyncClient(base_url=api.base, timeout=10) as http:

        async def reads(until: float) -> None:
            while time.monotonic() < until:
                try:
                    r = await http.get(
                        "/services", params={"district": "Jashore", "search": "legal"}
                    )
                    statuses.append((time.monotonic(), r.status_code))
                except httpx.TransportError:
                    statuses.append((time.monotonic(), 0))
                await asyncio.sleep(0.01)

        until = time.monotonic() + down_seconds + 10
        tasks = [
            asyncio.create_task(
                load(http, referrer, service_id, "OUTAGE", until, answered, statuses)
            )
            for _ in range(CLIENTS // 2)
        ]
        tasks += [asyncio.create_task(reads(until)) for _ in range(CLIENTS // 2)]
        await asyncio.sleep(2)
        stopped = time.monotonic()
        await asyncio.to_thread(subprocess.run, [pg, "stop"], check=True, capture_output=True)
        await asyncio.sleep(down_seconds)
        await asyncio.to_thread(subprocess.run, [pg, "start"], check=True, capture_output=True)
        started = time.monotonic()
        await asyncio.gather(*tasks)
    during = collections.Counter(s for t, s in statuses if stopped <= t < started)
    after = [(t, s) for t, s in statuses if t >= started]
    first_ok = min((t for t, s in after if s in (200, 201)), default=None)
    return {
        "during the outage": dict(during),
        "after restart": dict(collections.Counter(s for _, s in after)),
        "seconds to the first answer after restart": None
        if first_ok is None
        else round(first_ok - started, 2),
        **missing_records(answered, "OUTAGE"),
    }


def show(title: str, figures: dict[str, Any]) -> None:
    table = Table(title=title, show_header=False)
    for name, value in figures.items():
        table.add_row(name, str(value))
    console.print(table)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--down-seconds", type=float, default=5.0)
    parser.add_argument(
        "--serve", default=".venv/bin/directory serve --host 127.0.0.1 --port {port} --workers 1"
    )
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    api = Api(args.serve.format(port=args.port).split(), base)
    (referrer, _provider, admin), ids = accounts()
    service_id = ids[2]
    api.start()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            show(
                "1. one Idempotency-Key, 16 concurrent retries, 4 rounds",
                await idempotency(http, referrer, service_id),
            )
            show("2. quota 3, 16 concurrent referrals", await quota(http, referrer, admin, ids))
        show(
            "3. SIGKILL under 16 writing clients", await kill_under_load(api, referrer, service_id)
        )
        show(
            f"4. PostgreSQL stopped for {args.down_seconds:g} s under load",
            await database_outage(api, referrer, service_id, args.down_seconds),
        )
    finally:
        api.stop()


if __name__ == "__main__":
    asyncio.run(main())
