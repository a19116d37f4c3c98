"""Imports every core model so that both metadata collections are complete."""

from dolbom.audit.access import AccessLog
from dolbom.audit.models import PlatformEvent
from dolbom.cases.models import Case, CaseEvent, Contact, MonitoringCheck, SupportPlan
from dolbom.districts.models import Dong, Gu
from dolbom.forms.models import Form, FormResponse, FormResponseRevision, FormVersion
from dolbom.identity.models import Membership, User
from dolbom.jobs.models import JobRecord
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.people.models import Person
from dolbom.rules.models import RuleDecision, RuleSet, RuleSetVersion
from dolbom.tenancy.models import Tenant, TenantMigration, TenantPlugin
from dolbom.tenant_settings.models import TenantSetting

__all__ = [
    "AccessLog",
    "Case",
    "CaseEvent",
    "Contact",
    "Dong",
    "Form",
    "FormResponse",
    "FormResponseRevision",
    "FormVersion",
    "Gu",
    "JobRecord",
    "Meeting",
    "MeetingItem",
    "Membership",
    "MonitoringCheck",
    "Person",
    "PlatformEvent",
    "RuleDecision",
    "RuleSet",
    "RuleSetVersion",
    "SupportPlan",
    "Tenant",
    "TenantMigration",
    "TenantPlugin",
    "TenantSetting",
    "User",
]
