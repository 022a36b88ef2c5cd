"""Account commands and the demo accounts, through the real CLI against the test database."""

import uuid

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.auth.accounts import DEMO_PASSWORD, DEMO_USERS
from app.auth.models import User
from app.auth.service import password_matches
from app.cli import cli
from app.core.config import get_settings


def _user(database_url: str, email: str) -> User | None:
    engine = create_engine(database_url)
    with Session(engine) as session:
        user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is not None:
            session.expunge(user)
    engine.dispose()
    return user


def test_create_reset_and_disable_a_user(database_url: str) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@test.example"
    runner = CliRunner()

    created = runner.invoke(
        cli,
        [
            "create-user",
            "--email",
            email,
            "--organization",
            "cwcs",
            "--role",
            "district_admin",
            "--district",
            "Satkhira",
            "--password",
            "first-password-123",
        ],
    )
    reset = runner.invoke(
        cli, ["reset-password", "--email", email, "--password", "second-password-456"]
    )
    disabled = runner.invoke(cli, ["disable-user", "--email", email])

    assert (created.exit_code, reset.exit_code, disabled.exit_code) == (0, 0, 0), created.output
    user = _user(database_url, email)
    assert user is not None
    assert user.role == "district_admin"
    assert password_matches(user.password_hash, "second-password-456")
    assert user.password_hash.startswith("$argon2id$")
    assert user.active is False


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "caseworker", "--password", "short"], "12 characters"),
        (["--role", "wizard", "--password", "long-enough-password"], "role must be one of"),
        (["--role", "district_admin", "--password", "long-enough-password"], "district admins"),
        (
            ["--role", "caseworker", "--district", "Jashore", "--password", "long-enough-password"],
            "district admins",
        ),
    ],
)
def test_bad_account_commands_explain_themselves(arguments: list[str], message: str) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@test.example"

    result = CliRunner().invoke(
        cli, ["create-user", "--email", email, "--organization", "cwcs", *arguments]
    )

    assert result.exit_code == 1
    assert message in result.output


def test_demo_accounts_are_added_on_request_and_never_in_production(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(cli, ["load-seed", "--demo"])
    assert result.exit_code == 0, result.output
    for email, role, _, _districts in DEMO_USERS:
        user = _user(database_url, email)
        assert user is not None and user.role == role
        assert password_matches(user.password_hash, DEMO_PASSWORD)

    monkeypatch.setenv("ENVIRONMENT", "production")
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(cli, ["load-seed", "--demo"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert refused.exit_code == 1
    assert "never created in production" in refused.output
