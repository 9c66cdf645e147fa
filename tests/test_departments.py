"""Routing by e-mail domain."""

from __future__ import annotations

from bridge.departments.models import Department
from bridge.departments.service import DepartmentDirectory


def test_a_domain_or_any_of_its_subdomains_routes_to_its_department() -> None:
    directory = DepartmentDirectory(
        [
            Department(id=1, acronym="ESDC", name_en="", name_fr="",
                       email_domains=["hrsdc-rhdcc.gc.ca", "servicecanada.gc.ca"]),
            Department(id=2, acronym="TBS", name_en="", name_fr="", email_domains=["tbs-sct.gc.ca"]),
        ]
    )  # fmt: skip
    assert directory.for_email("Ana@TBS-SCT.gc.ca") == 2
    assert directory.for_email("bob@ottawa.servicecanada.gc.ca") == 1
    assert directory.for_email("eve@nottbs-sct.gc.ca") is None  # not a subdomain
    assert directory.for_email("not-an-email") is None
    assert directory.for_email(None) is None
