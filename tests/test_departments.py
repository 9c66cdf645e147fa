"""Routing by e-mail domain."""

from __future__ import annotations

from bridge.departments.models import Department
from bridge.departments.service import DepartmentDirectory


def test_a_domain_or_any_of_its_subdomains_routes_to_its_department() -> None:
    esdc = Department(
        id=1, acronym="ESDC", email_domains=["hrsdc-rhdcc.gc.ca", "servicecanada.gc.ca"]
    )
    tbs = Department(id=2, acronym="TBS", email_domains=["tbs-sct.gc.ca"])
    directory = DepartmentDirectory([esdc, tbs])
    assert directory.for_email("Ana@TBS-SCT.gc.ca") == 2
    assert directory.for_email("bob@ottawa.servicecanada.gc.ca") == 1
    assert directory.for_email("eve@nottbs-sct.gc.ca") is None  # not a subdomain
    assert directory.for_email("not-an-email") is None
    assert directory.for_email(None) is None
