"""The 케어안심주택 plugin's tables (in the tenant's schema, created by its own migrations)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from dolbom.plugins.api import NAMING


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
