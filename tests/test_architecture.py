"""The import rules of the architecture (README, "Architecture"): each part imports only what it
may, so a change in one part cannot reach into another by a side door."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = (
    "app.auth",
    "app.audit",
    "app.directory",
    "app.exports",
    "app.gazetteer",
    "app.portal",
    "app.print",
    "app.referrals",
    "app.sms",
)

# (the importing part, what it must not import, why)
RULES = [
    ("search", ("app", "directory_data"), "search is a library the directory uses"),
    ("app.core", (*DOMAINS, "app.main", "app.server", "app.cli"), "the core knows no domain"),
    (
        "app.directory",
        ("app.referrals", "app.portal", "app.exports"),
        "the directory knows no referral nor export",
    ),
    ("app.exports", ("app.referrals", "app.portal"), "exports publish the public directory"),
    ("app.gazetteer", ("app.directory", "app.referrals", "app.portal"), "places come first"),
    ("app.auth", ("app.referrals", "app.portal"), "accounts know organizations, not referrals"),
    ("app.referrals", ("app.portal",), "referrals know no page"),
    ("app.audit", ("app.directory", "app.referrals", "app.portal"), "the log knows no domain"),
    ("app.portal", ("app.print",), "the pages link to the printed documents, never import them"),
    ("app.print", ("app.referrals", "app.auth", "app.audit"), "print is the public directory"),
    ("app.sms", ("app.referrals", "app.print", "app.exports"), "SMS answers from the directory"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, absolute names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


SOURCES = {
    module_name(path): path
    for top in ("app", "search", "directory_data")
    for path in sorted((ROOT / top).rglob("*.py"))
}


@pytest.mark.parametrize(("part", "forbidden", "why"), RULES, ids=[rule[0] for rule in RULES])
def test_part_imports_only_what_it_may(part: str, forbidden: tuple[str, ...], why: str) -> None:
    sources = {name: path for name, path in SOURCES.items() if within(name, part)}
    assert sources, f"no module of {part} found"
    breaches = sorted(
        f"{name} imports {imported}"
        for name, path in sources.items()
        for imported in imports_of(path)
        if any(within(imported, bad) for bad in forbidden)
    )
    assert breaches == [], f"{why}: {breaches}"


def test_the_rules_see_a_breach(tmp_path: Path) -> None:
    """The checker itself finds an import inside a function, not only at the top."""
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from app.directory.models import Service\n", "utf-8")
    assert "app.directory.models" in imports_of(source)
