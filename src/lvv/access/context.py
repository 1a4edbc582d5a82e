"""Where the current processing comes from: trace id, IP address, user agent, channel.

`AccessLogContextMiddleware` fills it for each web request; commands and exports use
`processing_context(...)`. The gate reads it to write the audit record that log lines link to."""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field

from lvv.access.models import AuditRecord, Channel


@dataclass
class ProcessingContext:
    trace_id: uuid.UUID = field(default_factory=uuid.uuid4)
    channel: str = Channel.WEB
    ip_address: str | None = None
    user_agent: str = ""
    audits: dict = field(default_factory=dict)


_current: ContextVar[ProcessingContext | None] = ContextVar("lvv_processing", default=None)


def current() -> ProcessingContext | None:
    return _current.get()


@contextlib.contextmanager
def processing_context(*, channel: str, ip_address=None, user_agent: str = "", trace_id=None):
    ctx = ProcessingContext(
        trace_id=trace_id or uuid.uuid4(),
        channel=channel,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def _trace_from_header(value: str) -> uuid.UUID | None:
    # W3C traceparent: version-traceid(32 hex)-parentid-flags; reuse the trace id when present.
    parts = (value or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        try:
            return uuid.UUID(hex=parts[1])
        except ValueError:
            return None
    return None


class AccessLogContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        with processing_context(
            channel=channel,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            trace_id=_trace_from_header(request.META.get("HTTP_TRACEPARENT", "")),
        ) as ctx:
            request.trace_id = ctx.trace_id
            return self.get_response(request)


def audit_record_for(user, *, channel: str, trace_id: uuid.UUID | None) -> AuditRecord:
    """The audit record (who, from where) for this user in the current processing; one per
    request/command and channel, created when the first line is written."""
    ctx = current()
    trace = trace_id or (ctx.trace_id if ctx else uuid.uuid4())
    key = (getattr(user, "pk", None), channel, trace)
    if ctx is not None and key in ctx.audits:
        return ctx.audits[key]
    audit = AuditRecord.objects.create(
        trace_id=trace,
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "",
        organisation=getattr(getattr(user, "organisation", None), "name", "") or "",
        role=getattr(user, "role", "") or "",
        channel=channel,
        ip_address=ctx.ip_address if ctx else None,
        user_agent=ctx.user_agent if ctx else "",
    )
    if ctx is not None:
        ctx.audits[key] = audit
    return audit
