"""Files that background jobs read or write: uploaded import files and export results.

They live in Django's default storage (`MEDIA_ROOT` = `$LVV_DATA_DIR/media` unless configured
otherwise), which with several servers is shared storage (docs/deployment.md): the server that
received an upload and the worker that imports it may be different machines. Nothing in it is
served by URL; result files are handed out only by `lvv.jobs.views.job_file`, to the user who
started the job. Names are random (uuid), never a person's name or number."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage

UPLOADS = "jobs/uploads"
EXPORTS = "jobs/exports"


def store_upload(upload: File, suffix: str) -> str:
    """Save an uploaded file under a random name; returns its storage name."""
    return default_storage.save(f"{UPLOADS}/{uuid.uuid4()}{suffix}", upload)


@contextlib.contextmanager
def local_path(name: str) -> Iterator[Path]:
    """A local filesystem path with the stored file's content (itself, or a temporary copy for
    storages without local paths, such as an object store)."""
    try:
        local = default_storage.path(name)
    except NotImplementedError:
        local = None
    if local is not None:
        yield Path(local)
        return
    suffix = Path(name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with default_storage.open(name, "rb") as src:
            shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def exists(name: str | None) -> bool:
    if not name:
        return False
    return default_storage.exists(name)


def delete(name: str | None) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def save_export(job_id, fmt: str, content: bytes, persons: Iterable) -> str:
    """Store an export's bytes and, beside it, the ids of the persons in it (so each download
    can be access-logged per person). Returns the storage name of the file."""
    name = default_storage.save(f"{EXPORTS}/{job_id}.{fmt}", ContentFile(content))
    ids = "\n".join(str(pid) for pid in persons)
    default_storage.save(persons_name(name), ContentFile(ids.encode("ascii")))
    return name


def persons_name(name: str) -> str:
    return f"{name}.persons"


def export_persons(name: str) -> list[str]:
    with default_storage.open(persons_name(name), "rb") as fh:
        return [line for line in fh.read().decode("ascii").split("\n") if line]


def delete_export(name: str | None) -> None:
    if name:
        delete(name)
        delete(persons_name(name))


def stale_uploads(older_than: dt.datetime, keep: set[str]) -> list[str]:
    """Uploads not confirmed in time (no job refers to them)."""
    try:
        _, names = default_storage.listdir(UPLOADS)
    except FileNotFoundError:
        return []
    stale = []
    for base in names:
        name = f"{UPLOADS}/{base}"
        if name not in keep and default_storage.get_modified_time(name) < older_than:
            stale.append(name)
    return stale


def open_file(name: str):
    return default_storage.open(name, "rb")
