"""The people a tenant cares for (registry). Issue 5 grows it: resident numbers, contacts,
household members, consents."""
