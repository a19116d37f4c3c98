"""Changing the catalogue from the console: programmes, the tenant's own fields, which provider
offers which programme with how many places, and providers.

Every change is recorded with `record_change` in the caller's transaction (before → after), so
a refused or failed change leaves no entry. A programme or provider form carries the version it
was loaded with: a save over someone else's is refused (`Stale`) before anything changes, and the
UPDATE itself checks the version too (two saves at the same moment: one gets StaleDataError).
Nothing is ever deleted: a programme or provider that stops is deactivated, because referrals,
plans and settlements keep pointing at it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from werkzeug.datastructures import MultiDict

from dolbom.catalogue import admin_forms as forms
from dolbom.catalogue import admin_queries as queries
from dolbom.catalogue.checks import RuleIndex
from dolbom.catalogue.models import Programme, Provider, ProviderService, ServiceField
from dolbom.console.changes import record_change


class Invalid(ValueError):
    """The input has faults: a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Refused(ValueError):
    """The change is not allowed as things are now (open referrals, say)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NeedsConfirmation(Refused):
    """Deactivating something open referrals use: allowed once the user confirms."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class Stale(ValueError):
    """Someone saved the record after the form was loaded."""


def _refuse_unconfirmed(open_referrals: int) -> None:
    if open_referrals:
        raise NeedsConfirmation(
            _("진행 중인 의뢰가 %(n)d건 있습니다. 비활성화해도 이 의뢰들은 그대로 이어지고 새 의뢰만 막힙니다. 확인란에 표시한 뒤 다시 누르세요.",
              n=open_referrals),
            open_referrals,
        )  # fmt: skip


def _check_version(record: Programme | Provider, version: int | None) -> None:
    if version is None or version != record.version:
        raise Stale(_("다른 관리자가 먼저 저장했습니다"))


PROGRAMME_COLUMNS = ("name", "field", "funding", "budget", "unit", "unit_cost", "description",
                     "rule_set_key", "rule_programme", "rule_entitlement", "form_key")  # fmt: skip


def programme_snapshot(p: Programme) -> dict[str, Any]:
    return {c: getattr(p, c) for c in PROGRAMME_COLUMNS} | {"active": p.active}


def _save(session: Session, field: str | None = None) -> None:
    """Flush, turning a unique key or name (or an offer) taken at the same moment into a field
    message."""
    try:
        session.flush()
    except IntegrityError as exc:
        if field is None:
            text = str(exc.orig)
            field = "name" if "_name_" in text or "(name)" in text else "key"
        raise Invalid({field: _("방금 다른 관리자가 같은 값으로 저장했습니다")}) from exc


# ── programmes


def create_programme(session: Session, form: MultiDict[str, str], *, fields: Mapping[str, str],
                     rules: RuleIndex, form_keys: Collection[str], user_id: int) -> Programme:  # fmt: skip
    r = forms.read_programme(
        session, form, existing=None, fields=fields, rules=rules, forms=form_keys
    )
    if r.errors:
        raise Invalid(r.errors)
    programme = Programme(key=r.values["key"], active=True,
                          **{c: r.values[c] for c in PROGRAMME_COLUMNS})  # fmt: skip
    session.add(programme)
    _save(session)
    record_change(session, "programme", programme.key, before=None,
                  after=programme_snapshot(programme), user_id=user_id)  # fmt: skip
    return programme


def update_programme(session: Session, programme: Programme, form: MultiDict[str, str], *,
                     fields: Mapping[str, str], rules: RuleIndex, form_keys: Collection[str],
                     user_id: int) -> Programme:  # fmt: skip
    """Raises Stale first (the user must see the other's change before anything else), then
    Invalid."""
    r = forms.read_programme(session, form, existing=programme, fields=fields, rules=rules,
                             forms=form_keys)  # fmt: skip
    _check_version(programme, r.version())
    if r.errors:
        raise Invalid(r.errors)
    before = programme_snapshot(programme)
    for c in PROGRAMME_COLUMNS:
        setattr(programme, c, r.values[c])
    _save(session)
    record_change(session, "programme", programme.key, before=before,
                  after=programme_snapshot(programme), user_id=user_id)  # fmt: skip
    return programme


def set_programme_active(session: Session, programme: Programme, *, active: bool,
                         version: int | None, confirmed: bool, user_id: int) -> None:  # fmt: skip
    """Deactivating stops new referrals (and new plan rows); open ones carry on. With open
    referrals it needs the user's confirmation, having been told how many."""
    _check_version(programme, version)
    if programme.active == active:
        return
    if not active and not confirmed:
        _refuse_unconfirmed(queries.open_referrals(session, programme_id=programme.id))
    before = programme_snapshot(programme)
    programme.active = active
    session.flush()
    record_change(session, "programme", programme.key, before=before,
                  after=programme_snapshot(programme), user_id=user_id)  # fmt: skip


def add_field(session: Session, form: MultiDict[str, str], *, user_id: int) -> ServiceField:
    r = forms.read_field(session, form)
    if r.errors:
        raise Invalid(r.errors)
    sf = ServiceField(key=r.values["key"], name=r.values["name"])
    session.add(sf)
    _save(session)
    # Fields have no area of their own: they are part of the programme catalogue.
    record_change(session, "programme", f"field:{sf.key}", before=None,
                  after={"key": sf.key, "name": sf.name}, user_id=user_id)  # fmt: skip
    return sf


# ── which provider offers a programme, with how many places


def _touch(provider: Provider) -> None:
    """What a provider offers is part of the provider: its version moves, so a provider form
    opened before this change is refused as stale instead of putting the old places back."""
    flag_modified(provider, "name")


def _record_offer(session: Session, programme: Programme, provider: Provider,
                  before: int | None, after: int | None, user_id: int) -> None:  # fmt: skip
    record_change(session, "programme", programme.key,
                  before={f"provider.{provider.key}": before},
                  after={f"provider.{provider.key}": after}, user_id=user_id)  # fmt: skip


def assign_provider(session: Session, programme: Programme, form: MultiDict[str, str], *,
                    user_id: int) -> ProviderService:  # fmt: skip
    r = forms.read_capacity(form)
    key = r.raw("provider")
    provider = queries.provider_by_key(session, key) if key else None
    if provider is None:
        r.errors["provider"] = (
            _("기관을 고르세요") if not key else _("이 시에 '%(k)s' 기관이 없습니다", k=key[:50])
        )
    elif not provider.active:
        r.errors["provider"] = _("운영하지 않는 기관입니다. 먼저 기관을 다시 활성화하세요.")
    elif session.get(ProviderService, (provider.id, programme.id)) is not None:
        r.errors["provider"] = _("%(p)s은(는) 이미 이 프로그램을 제공합니다", p=provider.name)
    if r.errors:
        raise Invalid(r.errors)
    assert provider is not None
    offer = ProviderService(provider_id=provider.id, programme_id=programme.id,
                            capacity=r.values["capacity"])  # fmt: skip
    session.add(offer)
    _touch(provider)
    _save(session, "provider")
    _record_offer(session, programme, provider, None, offer.capacity, user_id)
    return offer


def change_capacity(session: Session, programme: Programme, provider: Provider,
                    form: MultiDict[str, str], *, user_id: int) -> ProviderService:  # fmt: skip
    offer = session.get(ProviderService, (provider.id, programme.id), with_for_update=True)
    if offer is None:
        raise Refused(_("%(p)s은(는) 이 프로그램을 제공하지 않습니다", p=provider.name))
    r = forms.read_capacity(form)
    if r.errors:
        raise Invalid(r.errors)
    before = offer.capacity
    offer.capacity = r.values["capacity"]
    _touch(provider)
    session.flush()
    _record_offer(session, programme, provider, before, offer.capacity, user_id)
    return offer


def remove_provider(session: Session, programme: Programme, provider: Provider, *,
                    user_id: int) -> None:  # fmt: skip
    offer = session.get(ProviderService, (provider.id, programme.id), with_for_update=True)
    if offer is None:
        raise Refused(_("%(p)s은(는) 이 프로그램을 제공하지 않습니다", p=provider.name))
    n = queries.open_referrals(session, programme_id=programme.id, provider_id=provider.id)
    if n:
        raise Refused(
            _("%(p)s에 이 프로그램의 진행 중인 의뢰가 %(n)d건 있어 뺄 수 없습니다. 새 의뢰만 막으려면 월 정원을 0으로 두세요.",
              p=provider.name, n=n),
            field="row",
        )  # fmt: skip
    before = offer.capacity
    session.delete(offer)
    _touch(provider)
    session.flush()
    _record_offer(session, programme, provider, before, None, user_id)


# ── providers


PROVIDER_COLUMNS = ("name", "type", "all_dongs", "dong_codes", "phone", "contact")


def provider_snapshot(p: Provider, offers: Mapping[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {c: getattr(p, c) for c in PROVIDER_COLUMNS}
    out["dong_codes"] = sorted(out["dong_codes"] or [])
    return out | {"active": p.active, "services": dict(sorted(offers.items()))}


def create_provider(session: Session, form: MultiDict[str, str], *, dongs: Collection[str],
                    user_id: int) -> Provider:  # fmt: skip
    programmes = queries.all_programmes(session)
    r = forms.read_provider(session, form, existing=None, dongs=dongs, programmes=programmes)
    if r.errors:
        raise Invalid(r.errors)
    provider = Provider(key=r.values["key"], active=True, sample=False,
                        **{c: r.values[c] for c in PROVIDER_COLUMNS})  # fmt: skip
    by_key = {p.key: p for p in programmes}
    for key, capacity in r.values["services"].items():
        provider.offers.append(ProviderService(programme=by_key[key], capacity=capacity))
    session.add(provider)
    _save(session)
    record_change(session, "provider", provider.key, before=None,
                  after=provider_snapshot(provider, r.values["services"]), user_id=user_id)  # fmt: skip
    return provider


def update_provider(session: Session, provider: Provider, form: MultiDict[str, str], *,
                    dongs: Collection[str], user_id: int) -> Provider:  # fmt: skip
    programmes = queries.all_programmes(session)
    r = forms.read_provider(session, form, existing=provider, dongs=dongs, programmes=programmes)
    _check_version(provider, r.version())
    old = queries.offers_of(session, provider)
    new: dict[str, int] = r.values.get("services", {})
    by_key = {p.key: p for p in programmes}
    gone = [k for k in old if k not in new]
    if gone:
        held = queries.open_by_programme(session, provider.id)
        for key in gone:
            n = held.get(by_key[key].id, 0)
            if n:
                r.errors[f"cap_{key}"] = _(
                    "진행 중인 의뢰가 %(n)d건 있어 뺄 수 없습니다. 새 의뢰만 막으려면 0으로 두세요.", n=n
                )  # fmt: skip
    if r.errors:
        raise Invalid(r.errors)
    before = provider_snapshot(provider, old)
    for c in PROVIDER_COLUMNS:
        setattr(provider, c, r.values[c])
    offers = {o.programme_id: o for o in provider.offers}
    for key in gone:
        provider.offers.remove(offers[by_key[key].id])
    for key, capacity in new.items():
        offer = offers.get(by_key[key].id)
        if offer is None:
            provider.offers.append(ProviderService(programme=by_key[key], capacity=capacity))
        else:
            offer.capacity = capacity
    if new != old:
        _touch(provider)
    _save(session)
    record_change(session, "provider", provider.key, before=before,
                  after=provider_snapshot(provider, new), user_id=user_id)  # fmt: skip
    return provider


def set_provider_active(session: Session, provider: Provider, *, active: bool,
                        version: int | None, confirmed: bool, user_id: int) -> None:  # fmt: skip
    """Deactivating takes the provider out of every referral picker; open referrals carry on."""
    _check_version(provider, version)
    if provider.active == active:
        return
    if not active and not confirmed:
        _refuse_unconfirmed(queries.open_referrals(session, provider_id=provider.id))
    offers = queries.offers_of(session, provider)
    before = provider_snapshot(provider, offers)
    provider.active = active
    session.flush()
    record_change(session, "provider", provider.key, before=before,
                  after=provider_snapshot(provider, offers), user_id=user_id)  # fmt: skip
