"""The access layer's own records: consent, the access log and erasures.

Two databases are involved. Consent and erasure records live with the register (alias "default").
The access log (`AuditRecord`, `AccessRecord`) is written through its own connection (alias
"accesslog", see lvv.access.routers) that autocommits, so a line stays even when the request's
transaction rolls back; both tables are append-only, in the ORM and in the database itself
(triggers: migration 0003 on PostgreSQL, 0004 on SQLite; lvv.access.appendonly, ADR 0104)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.access.fields import EncryptedTextField

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class ProcessingActivity(models.TextChoices):
    """Entries of the register of processing activities (GDPR art. 30) that person data is used for.
    docs/privacy.md describes each: purpose, legal ground, categories, recipients, retention."""

    CASE_MANAGEMENT = "case_management", _("Casusregie en begeleiding")
    REGISTRATION = "registration", _("Aanmelding en toelating")
    DUPLICATE_CHECK = "duplicate_check", _("Landelijke dubbelcheck")
    IMPORT = "import", _("Import van bestaande registraties")
    EXPORT = "export", _("Export van de eigen caseload")
    MONITOR = "monitor", _("Landelijke monitor")
    RESEARCH = "research", _("Gepseudonimiseerde export voor evaluatie")
    SUBJECT_ACCESS = "subject_access", _("Inzageverzoek (AVG art. 15)")
    CONSENT = "consent", _("Vastleggen van toestemming")
    PRIVACY_SUPERVISION = "privacy_supervision", _("Toezicht op de toegang (logboek)")
    RETENTION = "retention", _("Bewaartermijn en verwijdering")


class DataCategory(models.TextChoices):
    """The categories of person data that roles and consent are expressed in (docs/access-matrix.md)."""

    IDENTITY = "identity", _("Identiteit (naam, V-nummer, geboortejaar, land)")
    STAY = "stay", _("Verblijf in de LVV (aanmelding, toelating, locatie, uitstroom)")
    TRAJECTORY = "trajectory", _("Traject en scenario (acties, LSO-besprekingen)")
    LEGAL = "legal", _("Juridische gegevens (toets, procedures, juridische notities)")
    MEDICAL = "medical", _("Medische gegevens (medische intake en notities)")
    DOCUMENTS = "documents", _("Documenten (identiteits- en reisdocumenten)")
    IND = "ind", _("IND-gegevens (eerste aanvraag, huidige status)")


class Party(models.TextChoices):
    """Who a participant can consent to share with (besides the NGO and the municipality, who work
    with the participant under the participation agreement)."""

    IND = "ind", _("IND")
    DTV = "dtv", _("DT&V")
    AVIM = "avim", _("AVIM (vreemdelingenpolitie)")
    MEDICAL = "medical", _("GGD / medisch professional")


class ConsentEvent(models.Model):
    """One recorded decision of a participant: consent given or withdrawn, for sharing one category
    of their data with one party. Append-only; the current consent is the latest event per
    (person, party, category), kept in `ConsentState` by lvv.access.consent."""

    class Action(models.TextChoices):
        GIVEN = "given", _("Toestemming gegeven")
        WITHDRAWN = "withdrawn", _("Toestemming ingetrokken")

    class Method(models.TextChoices):
        PARTICIPATION_FORM = "participation_form", _("Deelnameformulier (bij de intake)")
        SEPARATE_FORM = "separate_form", _("Apart toestemmingsformulier")
        VERBAL = "verbal", _("Mondeling, vastgelegd door de casemanager")
        WRITTEN_WITHDRAWAL = "written_withdrawal", _("Schriftelijke intrekking")
        IMPORT = "import", _("Overgenomen uit eerdere registratie")

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("persoon"),
        on_delete=models.CASCADE,
        related_name="consent_events",
    )
    party = models.CharField(_("partij"), max_length=16, choices=Party.choices)
    category = models.CharField(_("gegevenscategorie"), max_length=16, choices=DataCategory.choices)
    action = models.CharField(_("besluit"), max_length=16, choices=Action.choices)
    method = models.CharField(_("vastgelegd via"), max_length=32, choices=Method.choices)
    note = EncryptedTextField(
        _("toelichting"),
        blank=True,
        help_text=_(
            "Bijvoorbeeld waar het getekende formulier bewaard wordt. Versleuteld opgeslagen."
        ),
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("namens organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("toestemmingsbesluit")
        verbose_name_plural = _("toestemmingsbesluiten")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["person", "party", "category", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.category} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Consent events are append-only; record a new event instead.")
        super().save(*args, **kwargs)


class ConsentState(models.Model):
    """The current consent of one person for one party and one category, derived from the person's
    `ConsentEvent`s (rebuilt by lvv.access.consent; never the truth)."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("persoon"),
        on_delete=models.CASCADE,
        related_name="consent_states",
    )
    party = models.CharField(_("partij"), max_length=16, choices=Party.choices)
    category = models.CharField(_("gegevenscategorie"), max_length=16, choices=DataCategory.choices)
    given = models.BooleanField(_("toestemming"), default=False)
    since = models.DateTimeField(_("sinds"))

    class Meta:
        verbose_name = _("huidige toestemming")
        verbose_name_plural = _("huidige toestemmingen")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "party", "category"], name="consent_state_unique"
            )
        ]
        indexes = [models.Index(fields=["party", "given", "person"])]

    def __str__(self) -> str:
        return f"{self.party} {self.category} {'ja' if self.given else 'nee'}"


class ErasureRecord(models.Model):
    """That a person's identifying data was removed, when, why and by whom: the record that remains
    after erasure on request (GDPR art. 17) or at the end of the retention term. It holds the
    access-log pseudonym of the person, never their id or name."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Verwijdering op verzoek (AVG art. 17)")
        RETENTION = "retention", _("Einde bewaartermijn")

    person_pseudonym = models.CharField(_("pseudoniem"), max_length=64, db_index=True)
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    reason = EncryptedTextField(_("reden"), blank=True)
    at = models.DateTimeField(_("uitgevoerd op"), default=timezone.now)
    by_username = models.CharField(_("uitgevoerd door"), max_length=150, blank=True)
    summary = models.JSONField(_("wat is verwijderd"), default=dict, blank=True)

    class Meta:
        verbose_name = _("verwijderregistratie")
        verbose_name_plural = _("verwijderregistraties")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.kind}"


# --- The access log (alias "accesslog") ----------------------------------------------------------


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be deleted.")

    def _raw_delete(self, using):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only: rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} is append-only: rows cannot be deleted.")


class AccessRecordQuerySet(AppendOnlyQuerySet):
    def for_person(self, person_id) -> AccessRecordQuerySet:
        """The lines about one person (found by computing their pseudonym)."""
        from lvv.access.pseudonyms import person_pseudonym

        return self.filter(person_pseudonym=person_pseudonym(person_id))


AccessRecordManager = models.Manager.from_queryset(AccessRecordQuerySet)


class Channel(models.TextChoices):
    WEB = "web", _("Webapplicatie")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    COMMAND = "command", _("Opdrachtregel")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Toegestaan")
    REFUSED = "refused", _("Geweigerd")
    FAILED = "failed", _("Mislukt")


class AuditRecord(AppendOnlyModel):
    """Who processed person data and from where, for one operation (one request, one export, one
    command): the record the access-log lines of that operation link to (Logboek Dataverwerkingen:
    the organisation-internal part that is not exchanged)."""

    trace_id = models.UUIDField(_("trace-id"), default=uuid.uuid4, db_index=True)
    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    user_id = models.BigIntegerField(_("gebruiker-id"), null=True, blank=True)
    username = models.CharField(_("gebruiker"), max_length=150, blank=True, db_index=True)
    organisation = models.CharField(_("organisatie"), max_length=200, blank=True, db_index=True)
    role = models.CharField(_("rol"), max_length=32, blank=True)
    channel = models.CharField(_("kanaal"), max_length=16, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("auditregistratie")
        verbose_name_plural = _("auditregistraties")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.channel}"


class AccessRecord(AppendOnlyModel):
    """One processing of one person's data (one line of the Logboek Dataverwerkingen): which
    operation, on which categories, with what result, when, for which processing activity, and the
    person concerned as a keyed pseudonym (lvv.access.pseudonyms). Who and from where: `audit`."""

    Outcome = Outcome
    Channel = Channel

    audit = models.ForeignKey(
        AuditRecord,
        verbose_name=_("auditregistratie"),
        on_delete=models.PROTECT,
        related_name="lines",
    )
    trace_id = models.UUIDField(_("trace-id"), default=uuid.uuid4, db_index=True)
    started_at = models.DateTimeField(_("begonnen op"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("geëindigd op"), default=timezone.now)
    person_pseudonym = models.CharField(_("betrokkene (pseudoniem)"), max_length=64)
    operation = models.CharField(_("handeling"), max_length=32)
    categories = models.JSONField(_("gegevenscategorieën"), default=list, blank=True)
    activity = models.CharField(
        _("verwerkingsactiviteit"), max_length=32, choices=ProcessingActivity.choices
    )
    outcome = models.CharField(_("resultaat"), max_length=16, choices=Outcome.choices)

    objects: ClassVar[AccessRecordManager] = AccessRecordManager()

    # Not stored: set on the lines the access-log page shows (lvv.access.views.access_log), the
    # label of the role recorded in the line's audit record.
    role_label: str | StrPromise

    class Meta:
        verbose_name = _("toegangsregistratie")
        verbose_name_plural = _("toegangsregistraties")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["person_pseudonym", "started_at"])]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.operation} {self.outcome}"
