"""Imports every core model so that both metadata collections are complete."""

from dolbom.audit.access import AccessLog
from dolbom.audit.models import PlatformEvent
from dolbom.cases.models import Case, CaseEvent, Contact, MonitoringCheck, SupportPlan
from dolbom.catalogue.models import Programme, Provider, ProviderService, ServiceField
from dolbom.complaints.models import Complaint
from dolbom.console.models import ConfigChange
from dolbom.districts.models import Dong, Gu
from dolbom.documents.models import Document
from dolbom.forms.models import Form, FormResponse, FormResponseRevision, FormVersion
from dolbom.identity.models import Membership, User
from dolbom.jobs.models import JobRecord
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.ministry.models import MinistryFigure, MinistryPublished, MinistryRollup
from dolbom.people.models import Consent, HouseholdMember, Person
from dolbom.referrals.models import Referral, ServiceRecord
from dolbom.rules.models import RuleDecision, RuleSet, RuleSetVersion
from dolbom.tasks.models import Task
from dolbom.tenancy.models import Tenant, TenantMigration, TenantPlugin
from dolbom.tenant_settings.models import TenantSetting

__all__ = [
    "AccessLog",
    "Case",
    "CaseEvent",
    "Complaint",
    "ConfigChange",
    "Consent",
    "Contact",
    "Document",
    "Dong",
    "Form",
    "FormResponse",
    "FormResponseRevision",
    "FormVersion",
    "Gu",
    "HouseholdMember",
    "JobRecord",
    "Meeting",
    "MeetingItem",
    "Membership",
    "MinistryFigure",
    "MinistryPublished",
    "MinistryRollup",
    "MonitoringCheck",
    "Person",
    "PlatformEvent",
    "Programme",
    "Provider",
    "ProviderService",
    "Referral",
    "RuleDecision",
    "RuleSet",
    "RuleSetVersion",
    "ServiceField",
    "ServiceRecord",
    "SupportPlan",
    "Task",
    "Tenant",
    "TenantMigration",
    "TenantPlugin",
    "TenantSetting",
    "User",
]
