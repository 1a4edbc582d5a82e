from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """A file attached to a case (identity papers, legal letters, IND decisions). The content is
    stored encrypted in the database (`content`, see lvv.workflow.documents); type and size are
    checked on upload and every download is recorded in the access log."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("Identiteitspapier")
        LEGAL_LETTER = "legal_letter", _("Juridische brief")
        IND_DECISION = "ind_decision", _("Beschikking IND")
        INTAKE_FORM = "intake_form", _("Intakeformulier")
        MEDICAL = "medical", _("Medisch document")
        OTHER = "other", _("Overig")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("soort document"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("omschrijving"), max_length=200)
    filename = models.CharField(_("bestandsnaam"), max_length=200)
    content_type = models.CharField(_("bestandstype"), max_length=64)
    size = models.PositiveIntegerField(_("grootte (bytes)"))
    content = models.BinaryField(_("versleutelde inhoud"), editable=False)
    sha256 = models.CharField(_("controlegetal"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geüpload door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("geüpload op"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def categories(self) -> tuple[str, ...]:
        """The data categories (lvv.access DataCategory) a user must be allowed to see: medical
        documents are special-category data as well."""
        if self.kind == self.Kind.MEDICAL:
            return ("documents", "medical")
        return ("documents",)
