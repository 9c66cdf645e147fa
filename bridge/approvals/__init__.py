"""Departmental approvals: chains of steps, requests per opportunity version, decisions."""
