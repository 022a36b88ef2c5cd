"""The seed loader validates everything first, reports file and record, and is idempotent."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.directory.models import Organization, Service
from directory_data import DATA_DIR
from directory_data.loader import collect

GOOD = """\
key: test-good-provider
name: Good provider
name_bn: ভালো সেবাদানকারী
description: Gives counselling.
description_bn: কাউন্সেলিং দেয়।
legal_status: ngo
district: BD4041
sources:
  - {document: test.txt, quote: "Good provider gives counselling"}
locations:
  - {key: main, name: Office, district: BD4041, upazila: BD40410061}
services:
  - key: counselling
    name: Counselling
    name_bn: কাউন্সেলিং
    description: Counselling.
    description_bn: কাউন্সেলিং।
    categories: [counselling]
    locations: [main]
"""


def _data_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    for name in ("geo", "taxonomy.yaml", "helplines.yaml"):
        (tmp_path / name).symlink_to(DATA_DIR / name)
    providers = tmp_path / "providers"
    providers.mkdir()
    for name, content in files.items():
        (providers / name).write_text(content, encoding="utf-8")
    return tmp_path


def _counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        counts = (
            conn.execute(select(func.count()).select_from(Organization)).scalar_one(),
            conn.execute(select(func.count()).select_from(Service)).scalar_one(),
        )
    engine.dispose()
    return counts


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            GOOD.replace("legal_status: ngo", "legal_status: ngo\nphone_number: '01711000000'"),
            "phone_number",
        ),
        (GOOD.replace("[counselling]", "[astrology]"), "unknown categories"),
        (GOOD.replace("upazila: BD40410061", "upazila: BD40870043"), None),
        (GOOD.replace("upazila: BD40410061", "upazila: BD49999999"), "unknown pcode BD49999999"),
        (GOOD.replace("locations: [main]", "locations: [annex]"), "unknown locations"),
        (
            GOOD.replace(
                'sources:\n  - {document: test.txt, quote: "Good provider gives counselling"}\n',
                "sources: []\n",
            ),
            "sources",
        ),
        (
            GOOD.replace("name: Office,", "name: Office, latitude: 23.1,"),
            "both latitude and longitude",
        ),
        ("key: [unclosed", "not valid YAML"),
    ],
)
def test_invalid_records_are_reported_with_file_and_record(
    tmp_path: Path, broken: str, message: str | None
) -> None:
    seed = collect(
        _data_dir(
            tmp_path, {"good.yaml": GOOD.replace("test-good", "test-other"), "broken.yaml": broken}
        )
    )

    if (
        message is None
    ):  # an upazila of another district is allowed: a branch office may be anywhere
        assert seed.errors == []
        return
    assert len(seed.errors) >= 1
    error = seed.errors[0]
    assert error.file == "providers/broken.yaml"
    assert message in error.message
    assert "providers/broken.yaml" in str(error)


def test_the_command_loads_nothing_when_any_record_is_invalid(
    tmp_path: Path, database_url: str
) -> None:
    before = _counts(database_url)
    data_dir = _data_dir(
        tmp_path,
        {
            "good.yaml": GOOD,
            "broken.yaml": GOOD.replace("test-good", "test-bad").replace(
                "[counselling]", "[astrology]"
            ),
        },
    )

    result = CliRunner().invoke(cli, ["load-seed", "--data-dir", str(data_dir)])

    assert result.exit_code == 1
    assert "providers/broken.yaml [test-bad-provider]" in result.output
    assert "nothing was loaded" in result.output
    assert _counts(database_url) == before


def test_loading_the_seed_again_changes_nothing(database_url: str) -> None:
    before = _counts(database_url)

    result = CliRunner().invoke(cli, ["load-seed"])

    assert result.exit_code == 0, result.output
    assert "0 services written" in result.output
    assert _counts(database_url) == before


def test_the_shipped_seed_files_are_valid() -> None:
    seed = collect()

    assert seed.errors == []
    assert seed.service_count >= 40
