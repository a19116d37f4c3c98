"""Encryption of resident registration numbers at rest, and their blind index.

AES-GCM with a key derived from `DOLBOM_PII_KEY` (the embedded default generates one into
instance/). The tenant's slug is bound into every ciphertext and index: a number copied into
another tenant's rows does not decrypt, and the same person in two cities cannot be linked by
comparing indexes. The blind index (HMAC-SHA256 under a second derived key) finds a number
exactly — search and duplicate checks — without storing it."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"  # first byte of a ciphertext: the key scheme, for a later rotation


class PiiNotConfigured(RuntimeError):
    pass


class PiiCipher:
    def __init__(self, secret: str) -> None:
        if len(secret) < 32:
            raise ValueError("the PII key needs at least 32 characters")
        self._aead = AESGCM(self._derive(secret, b"dolbom rrn encryption"))
        self._mac_key = self._derive(secret, b"dolbom rrn blind index")

    @staticmethod
    def _derive(secret: str, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            secret.encode()
        )

    def encrypt(self, tenant: str, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), tenant.encode())

    def decrypt(self, tenant: str, blob: bytes) -> str:
        if not blob or blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], tenant.encode()).decode()

    def seal(self, tenant: str, data: bytes, context: str) -> bytes:
        """Bytes that hold personal data (an uploaded list), encrypted with the same key, bound
        to the tenant and a context of the caller's (e.g. "blindspots_upload:42"): a blob copied
        to another tenant or row does not open, and the NUL-separated associated data keeps a
        sealed file from ever opening as a sealed number."""
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, data, _file_aad(tenant, context))

    def unseal(self, tenant: str, blob: bytes, context: str) -> bytes:
        if not blob or blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], _file_aad(tenant, context))

    def blind_index(self, tenant: str, canonical: str) -> str:
        return hmac.new(
            self._mac_key, f"{tenant}\x00{canonical}".encode(), hashlib.sha256
        ).hexdigest()


def _file_aad(tenant: str, context: str) -> bytes:
    return f"{tenant}\x00file\x00{context}".encode()


_lock = threading.Lock()
_cipher: PiiCipher | None = None


def configure(secret: str) -> None:
    global _cipher
    with _lock:
        _cipher = PiiCipher(secret)


def cipher() -> PiiCipher:
    if _cipher is None:
        raise PiiNotConfigured("call dolbom.people.pii.configure() first")
    return _cipher
