"""Packs against a running tenant: export its configuration as a pack, show how a pack differs
from it, and apply a pack all-or-nothing. Reading and checking a pack folder is
`dolbom.tenancy.packs`."""
