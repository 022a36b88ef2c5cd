"""Every example of the README copy-pastes and works: each `curl` of its shell blocks runs, in
order and in one shell as a newcomer would type them, against a server of its own (the seed with
the demo accounts, as `make run` serves it), and every one gets a 2xx."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.directory.write_schemas import CORRECTABLE
from tests.conftest import database_of_its_own
from tests.serving import ROOT, Server, serve

README = ROOT / "README.md"
EXAMPLE_ADDRESS = "http://127.0.0.1:8000"
_SHELL_BLOCK = re.compile(r"^ *```sh\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
# each curl reports its status on stderr, after whatever the example does with its output; the
# README's own curls never set --write-out
_CURL = """\
curl() {
  command curl --write-out '%{stderr}status %{http_code} %{method} %{url}\\n' "$@"
}
"""


def shell_examples(readme: str) -> list[str]:
    """The README's `sh` blocks that call the API (the others install or deploy)."""
    return [block for block in _SHELL_BLOCK.findall(readme) if "curl " in block]


@pytest.fixture(scope="module")
def demo_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = database_of_its_own(database_url, "readme", "--demo")
    with serve(url, tmp_path_factory.mktemp("readme") / "server.log") as server:
        yield server


def test_the_readme_has_examples_for_a_newcomer() -> None:
    examples = "\n".join(shell_examples(README.read_text(encoding="utf-8")))

    for path in ["/services", "/auth/token", "/referrals", "/transitions", "/reports/referrals"]:
        assert path in examples, path
    assert "--data-urlencode 'search=আইনগত" in examples  # Bangla goes percent-encoded


def test_the_readme_lists_the_correctable_fields_as_the_api_takes_them() -> None:
    rows = re.findall(
        r"^ *\| `(\w+)` \| (`.*`) \|$", README.read_text(encoding="utf-8"), re.MULTILINE
    )
    listed = {
        kind: tuple(re.findall(r"`(\w+)`", fields)) for kind, fields in rows if kind in CORRECTABLE
    }

    assert listed == CORRECTABLE


def test_every_readme_curl_works(demo_server: Server, tmp_path: Path) -> None:
    examples = shell_examples(README.read_text(encoding="utf-8"))
    script = "\n".join(
        [
            "set -euo pipefail",
            _CURL,
            *(block.replace(EXAMPLE_ADDRESS, demo_server.url) for block in examples),
        ]
    )
    statuses = tmp_path / "statuses"

    with statuses.open("w") as stderr:
        ran = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr, text=True
        )

    reported = statuses.read_text(encoding="utf-8")
    answers = [
        line.split(" ", 3)[1:] for line in reported.splitlines() if line.startswith("status ")
    ]
    assert ran.returncode == 0, reported + ran.stdout[-2000:]
    refused = [answer for answer in answers if not answer[0].startswith("2")]
    assert refused == [], reported
    # every curl written in the README ran at least once (the helpers' curls run once per call)
    written = sum(len(re.findall(r"\bcurl\b", block)) for block in examples)
    assert len(answers) >= written, reported
    methods = {method for _, method, _ in answers}
    assert {"GET", "POST", "HEAD"} <= methods
    assert f"{demo_server.url}/reports/referrals?group_by=status" in {url for *_, url in answers}
    # the walkthrough's referral was completed, and the report counts it
    assert '"status":"completed"' in ran.stdout
