"""The institution's Ed25519 signing keys.

The private key never enters the database: ``create_issuer_key`` writes it, PEM-encoded and
encrypted with ``ISSUER_KEY_PASSPHRASE`` when that is set, to a file in ``ISSUER_KEY_DIR`` (mode
0600); the database keeps the public key and the file's name. Back up that folder with the
passphrase kept apart; to rotate, create a new key: it signs from then on, and older keys stay
published so that the credentials they signed keep verifying.
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
ED25519_PUB = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, rest = divmod(number, 58)
        encoded = _ALPHABET[rest] + encoded
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + encoded


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(public_key) -> str:
    """The public key as a Multikey ``publicKeyMultibase``: 'z' + base58btc(0xed01 + key)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc(ED25519_PUB + raw)


def public_key_from_multikey(value: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = base58btc_decode(value[1:])
    if not value.startswith("z") or raw[:2] != ED25519_PUB:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def key_dir() -> Path:
    return Path(settings.ISSUER_KEY_DIR)


def _passphrase():
    value = settings.ISSUER_KEY_PASSPHRASE
    return value.encode() if value else None


def generate(name: str):
    """Make a new key pair; write the private key to ``ISSUER_KEY_DIR/<name>.pem``; return the public key."""
    private = Ed25519PrivateKey.generate()
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{name}.pem"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    return private.public_key()


_loaded = {}


def load_private(name: str):
    """The private key named ``name``, read once per process from its file."""
    path = key_dir() / f"{name}.pem"
    if path not in _loaded:
        try:
            data = path.read_bytes()
        except FileNotFoundError as missing:
            raise ImproperlyConfigured(
                f"The issuer key file {path} is missing: restore it from the backup of ISSUER_KEY_DIR, "
                "or create a new key with `python manage.py create_issuer_key`."
            ) from missing
        _loaded[path] = serialization.load_pem_private_key(data, password=_passphrase())
    return _loaded[path]
