"""Completion photos: JPEG or PNG by their first bytes (`sniff_upload`; the name and the
browser's content type are only the sender's claim), not empty, not over the limit."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.plugins.api import sniff_upload
from dolbom_squad.models import Photo

# Together under the app's 20 MB request limit (with the form around them): a full set of
# photos is checked here, with the entry kept, rather than refused whole by the server.
MAX_BYTES = 4 * 1024 * 1024
MAX_PHOTOS = 4
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


@dataclass(frozen=True)
class Upload:
    """One file as posted: its name (for the message only; never stored or logged) and bytes,
    read up to one byte past the limit."""

    filename: str
    data: bytes


def check(uploads: list[Upload]) -> tuple[list[tuple[str, bytes]], str | None]:
    """(content type, bytes) of each photo, or the reason the set is refused. Empty file inputs
    are skipped; one bad file refuses them all (nothing half-kept)."""
    files = [u for u in uploads if u.filename or u.data]
    if len(files) > MAX_PHOTOS:
        return [], _(
            "사진은 한 번에 %(n)d장까지 올릴 수 있습니다 (지금 %(now)d장)",
            n=MAX_PHOTOS,
            now=len(files),
        )
    out: list[tuple[str, bytes]] = []
    for u in files:
        name = u.filename or _("이름 없는 파일")
        if not u.data:
            return [], _("빈 파일입니다: %(name)s", name=name)
        if len(u.data) > MAX_BYTES:
            limit = MAX_BYTES // (1024 * 1024)
            return [], _(
                "사진은 한 장에 %(n)dMB까지 올릴 수 있습니다: %(name)s", n=limit, name=name
            )
        kind = sniff_upload(u.data[:16])
        if kind not in IMAGE_TYPES:
            return [], _("JPEG나 PNG 사진만 올릴 수 있습니다: %(name)s", name=name)
        out.append((kind, u.data))
    return out, None


def store(session: Session, order_id: int, photos: list[tuple[str, bytes]], *, by: int) -> None:
    for content_type, data in photos:
        session.add(Photo(order_id=order_id, content_type=content_type, size=len(data),
                          data=data, uploaded_by=by))  # fmt: skip


def photos_of(session: Session, order_id: int) -> list[tuple[int, str, int]]:
    """(id, content type, size) of an order's photos, without loading the bytes."""
    rows = session.execute(
        sa.select(Photo.id, Photo.content_type, Photo.size)
        .where(Photo.order_id == order_id)
        .order_by(Photo.id)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def photo(session: Session, order_id: int, photo_id: int) -> Photo | None:
    return session.scalar(sa.select(Photo).where(Photo.id == photo_id, Photo.order_id == order_id))
