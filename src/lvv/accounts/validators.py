"""Password rules per OWASP ASVS level 2 (V2.1): length over complexity, no composition rules,
common and breached passwords refused, long passphrases allowed.

`BreachedPasswordValidator` works offline (there is no internet at run time): it looks the SHA-1 of
the password up in files of breached passwords, one uppercase hex SHA-1 per line, optionally
followed by `:count` (the format of the Have I Been Pwned "ordered by hash" download), sorted. It
binary-searches the file on disk, so the full download (tens of GB) works as well as the small list
shipped in lvv/accounts/data/. Set LVV_BREACHED_PASSWORDS_FILE to the full list in production."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHIPPED_LIST = Path(__file__).resolve().parent / "data" / "breached-sha1.txt"


class MaximumLengthValidator:
    """Allow long passphrases (ASVS 2.1.2: at least 64 characters), refuse absurd lengths that
    only serve to make hashing expensive."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                _("Dit wachtwoord is te lang: gebruik hooguit %(max)d tekens.")
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Uw wachtwoord mag tot %(max)d tekens lang zijn; een zin is prima.") % {
            "max": self.max_length
        }


def _find_in_sorted_file(path: Path, digest: str) -> bool:
    """Binary search for a line starting with `digest` in a file sorted by its first field."""
    target = digest.encode("ascii")
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        low, high = 0, handle.tell()
        while low < high:
            mid = (low + high) // 2
            handle.seek(mid)
            if mid:
                handle.readline()  # skip to the start of the next full line
            line = handle.readline()
            if not line:
                high = mid
                continue
            key = line.split(b":", 1)[0].strip().upper()
            if key == target:
                return True
            if key < target:
                low = mid + 1
            else:
                high = mid
        # The first line is never reached when mid > 0: check it explicitly.
        handle.seek(0)
        first = handle.readline().split(b":", 1)[0].strip().upper()
        return first == target


class BreachedPasswordValidator:
    def __init__(self, paths: list[str] | None = None):
        self.paths = [Path(p) for p in paths] if paths else None

    def _paths(self) -> list[Path]:
        if self.paths is not None:
            return self.paths
        extra = getattr(settings, "LVV_BREACHED_PASSWORDS_FILE", "")
        return [SHIPPED_LIST, *([Path(extra)] if extra else [])]

    def validate(self, password, user=None):
        digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
        for path in self._paths():
            if path.exists() and _find_in_sorted_file(path, digest):
                raise ValidationError(
                    _(
                        "Dit wachtwoord komt voor in lijsten van gelekte wachtwoorden. "
                        "Kies een ander, bijvoorbeeld een zin van een paar woorden."
                    ),
                    code="password_breached",
                )

    def get_help_text(self):
        return _("Uw wachtwoord mag niet voorkomen in lijsten van gelekte wachtwoorden.")
