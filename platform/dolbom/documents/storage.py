"""Where document files live: `<instance>/documents/<tenant>/<key>`, outside the web root and
the static folder, so only the download view (which checks who asks) can hand them out.

The key is random, never anything the sender chose. A file is written to a temporary name in
the same directory and renamed into place only when complete, so a failed or refused upload
leaves nothing behind and a reader never sees half a file."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dolbom.tenancy.slugs import SLUG_RE

KEY = re.compile(r"[0-9a-f]{32}")
CHUNK = 256 * 1024


class TooLarge(ValueError):
    """The stream held more than the limit; nothing was kept."""


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Storage:
    """One tenant's document folder."""

    root: Path

    @classmethod
    def for_tenant(cls, instance: Path, tenant: str) -> Storage:
        if not SLUG_RE.fullmatch(tenant):  # slugs are checked at creation; this is the last line
            raise ValueError(f"not a tenant slug: {tenant!r}")
        return cls(instance / "documents" / tenant)

    def path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError("not a storage key")
        return self.root / key

    def save(self, stream: BinaryIO, *, limit: int) -> Stored:
        """Copy the stream into a new file under a fresh key; TooLarge past `limit` bytes."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(size)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Stored(key=key, size=size, sha256=digest.hexdigest())

    def remove(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
