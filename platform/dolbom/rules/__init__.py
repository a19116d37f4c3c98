"""Ordinance rules as code: effective-dated eligibility and entitlement rules with citations.

A rule set is a YAML document (`tenants/<slug>/rules/*.yaml`, or edited by a city
administrator) holding parameters with dated values, programmes with their eligibility
conditions and entitlements, and examples that must pass before a version is published.
Conditions are expressions in `dolbom.expr`, checked against the tenant's fact catalogue
(`facts.py`) when saved. `evaluate.py` answers "who gets what on this date" with an explanation
of every condition; decisions are stored with the case and never edited."""
