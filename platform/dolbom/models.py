"""Imports every core model so that both metadata collections are complete."""

from dolbom.audit.models import PlatformEvent
from dolbom.districts.models import Dong, Gu
from dolbom.identity.models import Membership, User
from dolbom.jobs.models import JobRecord
from dolbom.tenancy.models import Tenant, TenantMigration, TenantPlugin
from dolbom.tenant_settings.models import TenantSetting

__all__ = [
    "Dong",
    "Gu",
    "JobRecord",
    "Membership",
    "PlatformEvent",
    "Tenant",
    "TenantMigration",
    "TenantPlugin",
    "TenantSetting",
    "User",
]
