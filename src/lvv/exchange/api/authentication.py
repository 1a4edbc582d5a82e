"""`Authorization: Token <token>` for the API (CONTRACTS.md section 5)."""

from __future__ import annotations

import datetime as dt
import hmac
import logging

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from lvv.exchange.models import PREFIX_LENGTH, ApiToken, token_digest

logger = logging.getLogger(__name__)


class TokenAuthentication(authentication.BaseAuthentication):
    """Finds the token by its prefix and compares the sha256 digest in constant time. Revoked
    tokens and inactive users are refused. Each use is logged (prefix and user id, never the
    token) and sets the token's last-used time; person access is logged by lvv.access.gate."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        prefix = token.split(".", 1)[0][:PREFIX_LENGTH]
        row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if row is None or not hmac.compare_digest(row.digest, token_digest(token)):
            raise exceptions.AuthenticationFailed("Invalid token.")
        if row.revoked_at is not None or not row.user.is_active:
            raise exceptions.AuthenticationFailed("Token revoked or user inactive.")
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(seconds=30):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        logger.info("api token %s used by user %s", row.prefix, row.user_id)
        return row.user, row

    def authenticate_header(self, request) -> str:
        return self.keyword


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How drf-spectacular describes TokenAuthentication in the schema."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`; make one with `lvv create-token USERNAME`.",
        }
