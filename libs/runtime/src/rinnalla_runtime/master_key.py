"""The master key that wraps every person's data key.

Operators set RINNALLA_MASTER_KEY. For local development the stack generates one on first start and keeps
it in `<data dir>/master.key` (readable by its owner only), next to the embedded database whose personal
data it protects: a second start, or a CLI command on the same data directory, reads the same key.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from rinnalla_runtime.settings import MASTER_KEY_BYTES, RuntimeSettings, decode_master_key

MASTER_KEY_FILE = "master.key"


def generate_master_key() -> str:
    """A new key in the form RINNALLA_MASTER_KEY expects."""
    return base64.b64encode(secrets.token_bytes(MASTER_KEY_BYTES)).decode("ascii")


def master_key_path(settings: RuntimeSettings) -> Path:
    return settings.data_dir / MASTER_KEY_FILE


def _read(path: Path) -> str:
    text = path.read_text().strip()
    try:
        decode_master_key(text)
    except ValueError as exc:
        raise ValueError(f"{path} does not hold a valid master key: {exc}") from None
    return text


def _create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_master_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)  # another process made it first: use theirs
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


def with_master_key(settings: RuntimeSettings, *, generate: bool) -> RuntimeSettings:
    """`settings` with the master key filled in from the environment, the data dir's key file, or (if
    `generate`) a new key stored there. Without a key and without `generate`, `settings` unchanged."""
    if settings.master_key is not None:
        return settings
    path = master_key_path(settings)
    if path.exists():
        key = _read(path)
    elif generate:
        key = _create(path)
    else:
        return settings
    return settings.model_copy(update={"master_key": SecretStr(key)})
