"""`directory sms`: the reply to a message, and what it costs, without a gateway."""

from typer.testing import CliRunner

from app.cli import cli


def test_directory_sms_prints_the_reply_and_its_parts() -> None:
    result = CliRunner().invoke(cli, ["sms", "LEGAL KALAROA"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Legal aid, Kalaroa:"
    assert "District Legal Aid Office, Satkhira" in result.stdout
    assert lines[-2] == "Helpline 16430"
    assert lines[-1].startswith("-- 1 SMS, GSM-7, ") and lines[-1].endswith(" of 160 characters")


def test_directory_sms_in_bangla() -> None:
    result = CliRunner().invoke(cli, ["sms", "আইন কলারোয়া"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("আইনগত সহায়তা, কলারোয়া:\n")
    assert "-- 2 SMS, UCS-2, " in result.stdout and " of 134 UTF-16 units" in result.stdout
