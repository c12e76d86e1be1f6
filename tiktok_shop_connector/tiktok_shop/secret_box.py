"""Authenticated encryption for secrets at rest (app secret, access and refresh tokens).

AES-256-GCM with a key derived by HKDF-SHA256 from the installation's key material, so the stored
value reveals nothing and any tampering is detected on decryption. Stored form:
"tts1:" + urlsafe-base64(nonce ‖ ciphertext+tag). The prefix names the scheme so the key or the
algorithm can change later without guessing what a column holds.
"""

import base64
import os

from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "tts1:"
NONCE_SIZE = 12
HKDF_INFO = b"tiktok_shop_connector secrets v1"


class SecretDecryptionError(ValueError):
    """The stored value was not produced with this key (wrong key, copied database, tampering)."""


def derive_key(key_material, purpose=HKDF_INFO):
    """A 32-byte key for one purpose: keys derived for different purposes are unrelated."""
    if not key_material:
        raise ValueError("no key material to encrypt secrets with")
    material = key_material.encode() if isinstance(key_material, str) else key_material
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=purpose,
        backend=default_backend(),
    )
    return hkdf.derive(material)


def encrypt(key_material, plaintext):
    """Return the stored form of `plaintext` ("" and None stay empty: nothing to protect)."""
    if not plaintext:
        return ""
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(derive_key(key_material)).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(key_material, stored):
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise SecretDecryptionError("the stored secret is not in a known encrypted form")
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode())
        nonce, sealed = raw[:NONCE_SIZE], raw[NONCE_SIZE:]
        return AESGCM(derive_key(key_material)).decrypt(nonce, sealed, None).decode()
    except Exception as error:  # InvalidTag, binascii.Error, UnicodeDecodeError
        raise SecretDecryptionError(
            "the stored secret cannot be decrypted with this key"
        ) from error
