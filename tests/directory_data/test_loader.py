"""The seed loader validates everything first, reports file and record, and is idempotent."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.directory.models import Organization, Service
from directory_data import DATA_DIR
from directory_data.loader import HELPLINES_CSV, OSM_HEALTH_CSV, SeedError, collect

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
BAD = "test-bad-provider"
SERVICE = f"{BAD}, services[0] (counselling)"
LOCATION = f"{BAD}, locations[0] (main)"


def _data_dir(
    tmp_path: Path, files: dict[str, str | bytes], replaced: dict[str, str] | None = None
) -> Path:
    """A data folder with `files` under providers/ and the shipped taxonomy, helplines and geo
    files (symlinked), except those of `replaced` (path in the folder: content), which are
    written instead: the real seed is never touched."""
    replacements = {Path(name): content for name, content in (replaced or {}).items()}

    def mirror(relative: Path) -> None:
        source, target = DATA_DIR / relative, tmp_path / relative
        if relative in replacements:
            target.write_text(replacements[relative], encoding="utf-8")
        elif any(relative in name.parents for name in replacements):
            target.mkdir()
            for child in sorted(source.iterdir()):
                mirror(relative / child.name)
        else:
            target.symlink_to(source)

    for name in ("geo", "taxonomy.yaml", "helplines.yaml"):
        mirror(Path(name))
    for name, content in files.items():
        path = tmp_path / "providers" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def _errors(data_dir: Path) -> list[SeedError]:
    return collect(data_dir).errors


def _counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        counts = (
            conn.execute(select(func.count()).select_from(Organization)).scalar_one(),
            conn.execute(select(func.count()).select_from(Service)).scalar_one(),
        )
    engine.dispose()
    return counts


def _bad(good: str, new: str) -> str:
    assert good in GOOD
    return GOOD.replace("test-good", "test-bad").replace(good, new)


@pytest.mark.parametrize(
    ("broken", "record", "message"),
    [
        (
            _bad("legal_status: ngo", "legal_status: ngo\nphone_number: '01711000000'"),
            BAD,
            "phone_number: Extra inputs are not permitted",
        ),
        (_bad("[counselling]", "[astrology]"), SERVICE, "unknown categories ['astrology']"),
        (
            _bad("district: BD4041\n", "district: BD40410061\n"),
            BAD,
            "district: BD40410061 is an upazila, not a district",
        ),
        (
            _bad("upazila: BD40410061", "upazila: BD49999999"),
            LOCATION,
            "upazila: unknown pcode BD49999999",
        ),
        (
            _bad("locations: [main]", "locations: [annex]"),
            BAD,
            "services[0] (counselling) names unknown locations ['annex']",
        ),
        (
            _bad("locations: [main]", "locations: [main]\n    service_area: [BD99]"),
            SERVICE,
            "service_area: unknown pcode BD99",
        ),
        (
            _bad(
                'sources:\n  - {document: test.txt, quote: "Good provider gives counselling"}\n',
                "sources: []\n",
            ),
            BAD,
            "sources: List should have at least 1 item",
        ),
        (
            _bad('quote: "Good provider gives counselling"', "quote: ''"),
            f"{BAD}, sources[0]",
            "quote: Value should have at least 1 item",
        ),
        (
            _bad("name: Office,", "name: Office, latitude: 23.1,"),
            LOCATION,
            "both latitude and longitude",
        ),
        (_bad("    name_bn: কাউন্সেলিং\n", ""), SERVICE, "name_bn: Field required"),
        (
            _bad(
                "  - {key: main, name: Office, district: BD4041, upazila: BD40410061}\n",
                "  - {key: main, name: Office, district: BD4041}\n"
                "  - {key: main, name: Annex, district: BD4041}\n",
            ),
            BAD,
            "locations[1] (main) repeats locations[0]",
        ),
        (
            _bad(
                "legal_status: ngo",
                "legal_status: ngo\nphones:\n"
                "  - {number: '0421-1', source: a}\n  - {number: '0421-1', source: b}",
            ),
            BAD,
            "phones[1] (0421-1) repeats phones[0]",
        ),
        ("key: [unclosed", "-", "not valid YAML"),
        ("", "(no key)", "Input should be a valid dictionary"),
        ("- a list\n- of things\n", "(no key)", "Input should be a valid dictionary"),
        ("ভালো".encode("utf-16"), "-", "not UTF-8 text"),
    ],
)
def test_invalid_records_are_reported_with_file_and_record(
    tmp_path: Path, broken: str | bytes, record: str, message: str
) -> None:
    errors = _errors(_data_dir(tmp_path, {"good.yaml": GOOD, "jashore/broken.yaml": broken}))

    assert [error.file for error in errors] == ["providers/jashore/broken.yaml"], errors
    (error,) = errors
    assert error.record == record
    assert message in error.message
    assert str(error).startswith(f"providers/jashore/broken.yaml [{record}]: ")


def test_an_upazila_of_another_district_is_allowed(tmp_path: Path) -> None:
    # a branch office may be anywhere
    broken = _bad("upazila: BD40410061", "upazila: BD40870043")

    assert _errors(_data_dir(tmp_path, {"good.yaml": GOOD, "other.yaml": broken})) == []


def test_a_key_used_in_two_files_names_both(tmp_path: Path) -> None:
    # the second one is invalid besides: the clash is reported all the same
    data_dir = _data_dir(
        tmp_path,
        {
            "jashore/first.yaml": GOOD,
            "satkhira/second.yaml": GOOD.replace("[counselling]", "[astrology]"),
        },
    )

    errors = _errors(data_dir)

    clash = [e for e in errors if "used twice" in e.message]
    assert [(e.file, e.record) for e in clash] == [
        ("providers/satkhira/second.yaml", "test-good-provider")
    ]
    assert "providers/jashore/first.yaml [test-good-provider]" in clash[0].message
    result = CliRunner().invoke(cli, ["load-seed", "--check", "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert (
        "providers/satkhira/second.yaml [test-good-provider]: key 'test-good-provider' is used "
        "twice: also by providers/jashore/first.yaml [test-good-provider]"
    ) in " ".join(result.output.split())


def test_a_provider_key_that_is_a_helplines_names_both(tmp_path: Path) -> None:
    errors = _errors(
        _data_dir(tmp_path, {"clash.yaml": GOOD.replace("test-good-provider", "helpline-999")})
    )

    (error,) = errors
    assert (error.file, error.record) == (str(HELPLINES_CSV), "row 1 (999)")
    assert "also by providers/clash.yaml [helpline-999]" in error.message


def _csv(path: Path, change: Any) -> str:
    lines = (DATA_DIR / path).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(change(lines))


@pytest.mark.parametrize(
    ("change", "record", "message"),
    [
        (
            lambda lines: [*lines, lines[1]],
            "row 8 (999)",
            "also by geo/helplines/bd_helplines.csv [row 1 (999)]",
        ),
        (
            lambda lines: [lines[0], lines[1].replace("999,", "99x,", 1), *lines[2:]],
            "row 1 (99x)",
            "number: String should match pattern",
        ),
        (
            lambda lines: [lines[0], "999,National Emergency Service\n", *lines[2:]],
            "row 1",
            "has 2 values; the header has 10 columns",
        ),
        (
            lambda lines: [lines[0].replace("hours", "opening"), *lines[1:]],
            "-",
            "the header lacks the columns ['hours']",
        ),
    ],
)
def test_helpline_rows_are_reported_with_their_row_and_number(
    tmp_path: Path, change: Any, record: str, message: str
) -> None:
    errors = _errors(
        _data_dir(tmp_path, {"good.yaml": GOOD}, {str(HELPLINES_CSV): _csv(HELPLINES_CSV, change)})
    )

    errors = [e for e in errors if e.file == str(HELPLINES_CSV)]
    assert [e.record for e in errors] == [record]
    assert message in errors[0].message


def _extras(change: Any) -> str:
    extras = yaml.safe_load((DATA_DIR / "helplines.yaml").read_text(encoding="utf-8"))
    change(extras)
    return yaml.safe_dump(extras, allow_unicode=True)


@pytest.mark.parametrize(
    ("change", "record", "message"),
    [
        (
            lambda extras: extras.pop("999"),
            "999",
            "no entry for helpline 999 (geo/helplines/bd_helplines.csv row 1 (999))",
        ),
        (
            lambda extras: extras["109"].update(colour="red"),
            "109",
            "colour: Extra inputs are not permitted",
        ),
        (
            lambda extras: extras.update({"12345": extras["999"]}),
            "12345",
            "no helpline 12345 in geo/helplines/bd_helplines.csv",
        ),
        (
            lambda extras: extras["333"].update(categories=["astrology"]),
            "333",
            "category 'astrology' is not a term of taxonomy.yaml",
        ),
    ],
)
def test_helpline_entries_are_reported_with_their_number(
    tmp_path: Path, change: Any, record: str, message: str
) -> None:
    errors = _errors(_data_dir(tmp_path, {"good.yaml": GOOD}, {"helplines.yaml": _extras(change)}))

    assert [(e.file, e.record) for e in errors] == [("helplines.yaml", record)]
    assert message in errors[0].message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",23.028633,", ",north,", "latitude: Value error, 'north' is not a number"),
        (",23.028633,", ",28.5,", "latitude: Value error, 28.5 is outside Bangladesh"),
        (",BD40410004,", ",BD49999999,", "upazila_pcode: unknown pcode BD49999999"),
        (",BD40410004,", ",BD4041,", "upazila_pcode: String should match pattern"),
        (
            "Doctors' Clinic,hospital,",
            "Doctors' Clinic,castle,",
            "kind: Input should be 'hospital' or 'clinic'",
        ),
        # a speciality with no Bangla word would leave English in the Bangla description
        (
            ",general;surgery;gynaecology",
            ",general;dermatology",
            "speciality: ['dermatology'] have no Bangla name",
        ),
    ],
)
def test_osm_rows_are_reported_with_their_row_and_name(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    broken = _csv(OSM_HEALTH_CSV, lambda lines: [lines[0], lines[1].replace(old, new), *lines[2:]])

    errors = _errors(_data_dir(tmp_path, {"good.yaml": GOOD}, {str(OSM_HEALTH_CSV): broken}))

    assert [(e.file, e.record) for e in errors] == [
        (str(OSM_HEALTH_CSV), "row 1 (Doctors' Clinic)")
    ]
    assert message in errors[0].message


def _taxonomy(change: Any) -> str:
    taxonomy = yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text(encoding="utf-8"))
    change(taxonomy["terms"])
    return yaml.safe_dump(taxonomy, allow_unicode=True)


def test_a_category_the_data_folders_taxonomy_lacks_names_the_service(tmp_path: Path) -> None:
    taxonomy = _taxonomy(
        lambda terms: terms.remove(next(t for t in terms if t["code"] == "counselling"))
    )

    errors = _errors(_data_dir(tmp_path, {"good.yaml": GOOD}, {"taxonomy.yaml": taxonomy}))

    mine = [e for e in errors if e.file == "providers/good.yaml"]
    assert [e.record for e in mine] == ["test-good-provider, services[0] (counselling)"]
    assert "category 'counselling' is not a term of taxonomy.yaml" in mine[0].message


@pytest.mark.parametrize(
    ("change", "record", "message"),
    [
        (
            lambda terms: terms.append(dict(terms[0])),
            "taxonomy",
            "terms[15] (health) repeats terms[0]",
        ),
        (
            lambda terms: terms[1].pop("name_bn"),
            "taxonomy, terms[1] (legal_aid)",
            "name_bn: Field required",
        ),
    ],
)
def test_taxonomy_errors_name_the_term(
    tmp_path: Path, change: Any, record: str, message: str
) -> None:
    errors = _errors(_data_dir(tmp_path, {"good.yaml": GOOD}, {"taxonomy.yaml": _taxonomy(change)}))

    assert [(e.file, e.record) for e in errors] == [("taxonomy.yaml", record)]
    assert message in errors[0].message


def test_the_command_loads_nothing_when_any_record_is_invalid(
    tmp_path: Path, database_url: str
) -> None:
    before = _counts(database_url)
    data_dir = _data_dir(
        tmp_path, {"good.yaml": GOOD, "broken.yaml": _bad("[counselling]", "[astrology]")}
    )

    result = CliRunner().invoke(cli, ["load-seed", "--data-dir", str(data_dir)])

    assert result.exit_code == 1
    assert f"providers/broken.yaml [{SERVICE}]" in result.output
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
