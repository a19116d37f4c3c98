"""Keeping a document with a case: every check first, then the file, then its record; and the
documents of a case. Nothing is written anywhere while any check fails."""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case
from dolbom.documents import checks
from dolbom.documents.models import DOCUMENT_KINDS, Document
from dolbom.documents.storage import Storage, TooLarge

NOTE_LIMIT = 200


class Upload(Protocol):
    """What the web layer hands over (werkzeug's FileStorage is one): a claimed name and a
    seekable stream."""

    filename: str | None
    stream: BinaryIO


def too_large_message() -> str:
    return f"파일은 {checks.MAX_BYTES // (1024 * 1024)}MB까지 올릴 수 있습니다"


def check_file(file: Upload | None) -> tuple[str | None, str | None]:
    """(content type, None) for an acceptable file, or (None, the message for the field)."""
    if file is None:
        return None, "올릴 파일을 고르세요"
    size = checks.measure(file.stream)
    if size == 0:  # a browser sends an empty part without a name when no file was chosen
        return None, "빈 파일은 올릴 수 없습니다" if file.filename else "올릴 파일을 고르세요"
    if size > checks.MAX_BYTES:
        return None, f"{too_large_message()} (이 파일: {checks.size_label(size)})"
    content_type = checks.sniff(checks.peek(file.stream))
    if content_type is None:
        return None, "PDF, JPEG, PNG 파일만 올릴 수 있습니다 (파일 내용이 이 형식이 아닙니다)"
    return content_type, None


def upload(session: Session, case: Case, file: Upload | None, *, kind: str, note: str, by: int,
           storage: Storage) -> Document | dict[str, str]:  # fmt: skip
    """The new document (flushed, file in place), or the errors by field with nothing kept."""
    errors: dict[str, str] = {}
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = "문서 종류를 고르세요"
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"메모는 {NOTE_LIMIT}자까지 적을 수 있습니다 ({len(note):,}자)"
    content_type, problem = check_file(file)
    if problem:
        errors["file"] = problem
    if errors or file is None or content_type is None:
        return errors
    try:
        stored = storage.save(file.stream, limit=checks.MAX_BYTES)
    except TooLarge:  # the stream grew after it was measured: refuse like any large file
        return {"file": too_large_message()}
    document = Document(
        case_id=case.id,
        kind=kind,
        filename=checks.display_name(file.filename, content_type),
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        note=note or None,
        uploaded_by=by,
    )
    session.add(document)
    try:
        session.flush()
    except Exception:
        storage.remove(stored.key)  # a file without its record would be kept for no one
        raise
    return document


def documents_of(session: Session, case_id: int) -> Sequence[Document]:
    return session.scalars(
        sa.select(Document)
        .where(Document.case_id == case_id)
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    ).all()


def document_of(session: Session, case_id: int, document_id: int) -> Document | None:
    """A document only through its own case: another case's id finds nothing."""
    return session.scalar(
        sa.select(Document).where(Document.id == document_id, Document.case_id == case_id)
    )
