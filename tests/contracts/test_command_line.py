"""An award synced from the marketplace, carried to payment from the command line alone: the
contract issued, sent and signed; the work delivered, accepted under section 34; the
requisition exported to procurement's directory; the payment confirmed under section 33."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from tests.cli import run
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED

NUMBER = "TBS-2026-27-0001"


def ok(*arguments: str) -> str:
    code, printed, errors = run(*arguments)
    assert code == 0, printed + errors
    return printed


@pytest.mark.usefixtures("environment")
def test_an_award_goes_from_contract_to_payment_on_the_command_line(
    mocked: responses.RequestsMock, fake: FakeMarketplace, tmp_path: Path
) -> None:
    fake.move_author()  # the author works at TBS
    fake.opportunities["code-with-us"][AWARDED]["reward"] = 9040
    ok("sync")
    for email, role in (
        ("paula@tbs-sct.gc.ca", "procurement"),
        ("omar@tbs-sct.gc.ca", "owner"),
        ("cecile@tbs-sct.gc.ca", "certifier"),
        ("fatima@tbs-sct.gc.ca", "finance"),
    ):
        ok(
            "users",
            "create",
            "--email",
            email,
            "--name",
            email[:5],
            "--role",
            role,
            "--department",
            "TBS",
            "--no-password",
        )
    printed = ok(
        "contracts",
        "issue",
        AWARDED,
        "--as",
        "paula@tbs-sct.gc.ca",
        "--milestone",
        "Form|Formulaire|5000",
        "--milestone",
        "Tests|Essais|3000",
        "--business-number",
        "123456789RT0001",
    )
    assert printed == f"issued {NUMBER}: 9040.00 $ (1040.00 $ GST/HST)\n"
    code, _, errors = run("contracts", "issue", AWARDED, "--as", "paula@tbs-sct.gc.ca")
    assert code == 1 and "This award's contract is already issued." in errors
    code, _, errors = run("contracts", "issue", AWARDED, "--as", "omar@tbs-sct.gc.ca")
    assert code == 1 and "Only procurement staff" in errors
    ok("contracts", "send", NUMBER, "--as", "paula@tbs-sct.gc.ca")
    ok("contracts", "sign", NUMBER, "--on", "2026-11-26", "--as", "paula@tbs-sct.gc.ca")
    printed = ok(
        "contracts",
        "deliver",
        NUMBER,
        "--milestone",
        "1",
        "--url",
        "https://github.com/example/forms/pull/12",
        "--invoice",
        "INV-1",
        "--invoice-date",
        "2026-11-24",
        "--received",
        "2026-11-25",
        "--as",
        "omar@tbs-sct.gc.ca",
    )
    delivery = printed.split()[1]
    code, _, errors = run("contracts", "accept", delivery, "--as", "omar@tbs-sct.gc.ca")
    assert code == 1 and "section 34 authority" in errors
    ok("contracts", "accept", delivery, "--as", "cecile@tbs-sct.gc.ca")
    out = tmp_path / "procurement"
    ok("export", "--out", str(out))
    [batch] = sorted(out.glob("directory-requisitions-*.json"))
    [item] = json.loads(batch.read_text(encoding="utf-8"))["deliveries"]
    requisition = item["requisition"]
    assert requisition["requisition"] == f"{NUMBER}-R1" and requisition["total"] == "5650.00"
    assert requisition["supplier"]["business_number"] == "123456789RT0001"
    assert (out / f"{batch.stem}.csv").exists()
    assert "pay TBS-2026-27-0001-R1  5650.00 $" in ok("contracts", "due")
    code, _, errors = run(
        "contracts", "pay", f"{NUMBER}-R1", "--on", "2026-11-26", "--as", "cecile@tbs-sct.gc.ca"
    )
    assert code == 1 and "finance staff" in errors
    ok(
        "contracts",
        "pay",
        f"{NUMBER}-R1",
        "--on",
        "2026-11-26",
        "--reference",
        "P-1",
        "--as",
        "fatima@tbs-sct.gc.ca",
    )
    assert ok("contracts", "due") == ""
    listed = ok("contracts", "list")
    assert f"{NUMBER}  Vendor One Ltd.  9040.00 $  2026-11-26  accepted 1/2, paid 1" in listed
    pdf = tmp_path / "contract.pdf"
    shown = ok("contracts", "show", NUMBER, "--pdf", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    kinds = [line.split()[1] for line in shown.splitlines()[1:]]
    assert kinds == ["issued", "sent", "signed", "delivered", "accepted", "requisition", "paid"]
