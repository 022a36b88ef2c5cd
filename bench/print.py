"""The printed directory's rendering time (`python -m bench.print`): a made-up district of 200
services rendered in-process (WeasyPrint alone, no database: bench data, never printed for
anyone), then, with --base-url, the seed districts' PDFs as a server answers them. Target: a
200-service district under 10 s."""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import date

import httpx
from rich.console import Console
from rich.table import Table

from app.portal.i18n import LANGS, Lang, Words
from app.portal.views import Call, Helpline, Place, ServiceView
from app.print import render
from app.print.documents import Directory, Group

console = Console()
CATEGORIES = ("health", "legal_aid", "shelter", "counselling", "skills_training")
SEED_DISTRICTS = ("Jashore", "Satkhira", "Dhaka")


def made_up_directory(services: int, lang: Lang) -> Directory:
    """`services` bench services spread over five categories, each with a place, a phone,
    hours and a verification line, like a well-filled seed entry."""
    words = Words(lang)
    groups = [Group(f"Bench category {code}") for code in CATEGORIES]
    for n in range(services):
        groups[n % len(groups)].services.append(
            ServiceView(
                id=uuid.uuid4(),
                name=f"Bench service {n} সেবা {words.number(n)}",
                organization=f"Bench organization {n // 3}",
                categories=[groups[n % len(groups)].name],
                free=n % 2 == 0,
                distance=None,
                places=[Place(name=None, area="Bench upazila, Bench district", exact=True,
                              approximate=False, confidential=False, address=f"Road {n}")],  # fmt: skip
                calls=[Call(number=words.number(f"0100000{n:04d}"), tel=f"tel:0100000{n:04d}")],
                hours=["Sun–Thu 09:00–17:00"],
                verified=words("not_verified"),
            )
        )
    return Directory(
        lang=lang,
        district="Bench district",
        upazila=None,
        category=None,
        printed_on=words.date(date.today()),
        helplines=[Helpline("999", "National emergency service", None)],
        groups=groups,
        total=services,
        online_url="http://127.0.0.1:8000/find?lang=bn&district=Bench",
    )


def render_seconds(directory: Directory) -> tuple[float, int]:
    started = time.perf_counter()
    document = render.html(
        "directory.html", directory.lang, d=directory, qr=render.qr_svg(directory.online_url)
    )
    pdf = render.pdf(document, "directory.css", directory.lang)
    return time.perf_counter() - started, len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--base-url", help="a server with the seed, for the seed districts")
    args = parser.parse_args()
    table = Table(title="printed directory: seconds to render (target < 10 s for 200 services)")
    for column in ("what", "lang", "seconds", "KiB"):
        table.add_column(column, justify="left" if column == "what" else "right")
    render_seconds(made_up_directory(10, "bn"))  # load the fonts once
    for lang in LANGS:
        seconds, size = render_seconds(made_up_directory(args.services, lang))
        table.add_row(f"{args.services} bench services (render only)", lang, f"{seconds:.2f}",
                      f"{size / 1024:.0f}")  # fmt: skip
    if args.base_url:
        with httpx.Client(base_url=args.base_url, timeout=120) as http:
            for district in SEED_DISTRICTS:
                for lang in LANGS:
                    started = time.perf_counter()
                    response = http.get(
                        "/print/directory.pdf", params={"district": district, "lang": lang}
                    )
                    response.raise_for_status()
                    seconds = time.perf_counter() - started
                    table.add_row(f"seed {district} (HTTP)", lang, f"{seconds:.2f}",
                                  f"{len(response.content) / 1024:.0f}")  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
