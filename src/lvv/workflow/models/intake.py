from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lvv.workflow.fields import EncryptedTextField
from lvv.workflow.models.recorded import Recorded

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class IdentityInvestigation(Recorded):
    """The identity and nationality investigation by AVIM at intake, where the LVV's policy asks
    for it (Policy.avim_identity_check)."""

    class Result(models.TextChoices):
        CONFIRMED = "confirmed", _("Identiteit bevestigd")
        NOT_ESTABLISHED = "not_established", _("Identiteit niet vast te stellen")
        FRAUD_FOUND = "fraud_found", _("Identiteitsfraude vastgesteld")
        PENDING = "pending", _("Onderzoek loopt")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="identity_investigations",
    )
    result = models.CharField(_("uitkomst"), max_length=32, choices=Result.choices)
    concluded_on = models.DateField(_("datum"))
    note = EncryptedTextField(_("toelichting"), blank=True)

    class Meta:
        verbose_name = _("identiteitsonderzoek")
        verbose_name_plural = _("identiteitsonderzoeken")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_result_display()} ({self.concluded_on})"


class MedicalIntake(Recorded):
    """The medical intake (GGD, nurse or NGO per Policy.medical_intake_by): a restricted, encrypted
    note and an advice on the kind of shelter. Special-category data (GDPR art. 9)."""

    class ShelterAdvice(models.TextChoices):
        REGULAR = "regular", _("Reguliere opvang")
        FULL_DAY = "full_day", _("24-uursopvang nodig")
        MEDICAL = "medical", _("Medische opvangplek nodig")
        SELF_RELIANT = "self_reliant", _("Zelfredzaam: kleinschalig of netwerk mogelijk")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="medical_intakes",
    )
    performed_by_kind = models.CharField(_("uitgevoerd door"), max_length=16)
    held_on = models.DateField(_("datum"))
    shelter_advice = models.CharField(
        _("advies soort opvang"), max_length=16, choices=ShelterAdvice.choices
    )
    note = EncryptedTextField(_("medische notitie"), blank=True)

    class Meta:
        verbose_name = _("medische intake")
        verbose_name_plural = _("medische intakes")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Medische intake {self.held_on}"


class Party(models.TextChoices):
    """The parties with a section in the joint legal check."""

    IND = "ind", _("IND")
    DTV = "dtv", _("DT&V")
    NGO = "ngo", _("Maatschappelijke organisatie")


# What each party answers in its own section (field name, Dutch label).
SECTION_FIELDS: dict[str, list[tuple[str, StrPromise]]] = {
    Party.IND: [
        ("current_status", _("Huidige status")),
        ("earlier_procedures", _("Eerdere procedures")),
    ],
    Party.DTV: [("departure_procedures", _("Eerdere vertrekprocedures"))],
    Party.NGO: [
        ("legalisation_options", _("Mogelijkheden tot legalisering")),
        ("conclusion", _("Conclusie")),
    ],
}


class LegalCheck(models.Model):
    """The joint legal check of one stay: one form, a section per party (LegalCheckSection), due
    within the LVV's norm (Policy.legal_check_norm_days) after it was opened."""

    stay = models.OneToOneField(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="legal_check",
    )
    opened_on = models.DateField(_("gestart op"))
    due_on = models.DateField(_("uiterlijk klaar op"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestart door"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("juridische check")
        verbose_name_plural = _("juridische checks")

    def __str__(self) -> str:
        return f"Juridische check {self.stay_id}"


class LegalCheckSection(models.Model):
    """One party's section of a joint legal check. Each party writes only its own row, so parties
    can fill in at the same time without overwriting each other."""

    legal_check = models.ForeignKey(
        LegalCheck,
        verbose_name=_("juridische check"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    party = models.CharField(_("partij"), max_length=8, choices=Party.choices)
    current_status = EncryptedTextField(_("huidige status"), blank=True)
    earlier_procedures = EncryptedTextField(_("eerdere procedures"), blank=True)
    departure_procedures = EncryptedTextField(_("eerdere vertrekprocedures"), blank=True)
    legalisation_options = EncryptedTextField(_("mogelijkheden tot legalisering"), blank=True)
    conclusion = EncryptedTextField(_("conclusie"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingevuld door"),
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
    answered_at = models.DateTimeField(_("ingevuld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("onderdeel juridische check")
        verbose_name_plural = _("onderdelen juridische check")
        ordering = ["legal_check", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_check", "party"], name="legal_check_section_once"
            )
        ]
        indexes = [models.Index(fields=["party", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.legal_check_id}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
