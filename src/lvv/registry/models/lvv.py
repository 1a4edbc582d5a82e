from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.registry.taxonomy import Scenario


class LVV(models.Model):
    """One Landelijke Vreemdelingenvoorziening: the municipal shelter with guidance of one
    municipality, serving the municipalities of its region."""

    name = models.CharField(
        _("naam"),
        max_length=100,
        unique=True,
        help_text=_("De gemeente van de LVV, bv. Amsterdam."),
    )
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    municipality = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("regiehoudende organisatie"),
        on_delete=models.PROTECT,
        related_name="directed_lvvs",
        null=True,
        blank=True,
        help_text=_("De gemeente (of regiegroep) met de regie over deze LVV."),
    )

    class Meta:
        verbose_name = _("LVV")
        verbose_name_plural = _("LVV's")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        return self.name.lower()


class RegionMunicipality(models.Model):
    """A municipality in the region an LVV serves (its regional function)."""

    lvv = models.ForeignKey(
        LVV, verbose_name=_("LVV"), on_delete=models.CASCADE, related_name="region_municipalities"
    )
    name = models.CharField(_("gemeente"), max_length=100)

    class Meta:
        verbose_name = _("gemeente in de regio")
        verbose_name_plural = _("gemeenten in de regio")
        ordering = ["lvv", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="region_municipality_in_one_lvv"),
        ]

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """The local policy of one LVV: what differs between LVVs is configured here, never coded."""

    class MedicalIntakeBy(models.TextChoices):
        GGD = "ggd", _("GGD")
        NURSE = "nurse", _("BIG-geregistreerd verpleegkundige")
        NGO = "ngo", _("Maatschappelijke organisatie")
        NONE = "none", _("Geen medische intake")

    class ConsentMode(models.TextChoices):
        AT_INTAKE = "at_intake", _("Bij de intake (deelnameformulier)")
        SEPARATE = "separate", _("Apart, later gevraagd")

    class ExceptionDecider(models.TextChoices):
        LSO = "lso", _("LSO")
        MAYOR = "mayor", _("Burgemeester")

    lvv = models.OneToOneField(
        LVV, verbose_name=_("LVV"), on_delete=models.CASCADE, related_name="policy"
    )
    max_stay_days = models.PositiveIntegerField(
        _("maximale verblijfsduur (dagen)"),
        null=True,
        blank=True,
        help_text=_("Leeg: geen maximum."),
    )
    extension_days = models.PositiveIntegerField(
        _("duur van een verlenging (dagen)"), null=True, blank=True
    )
    extension_reasons = models.JSONField(
        _("redenen voor verlenging"),
        default=list,
        blank=True,
        help_text=_("Bijvoorbeeld ['medical', 'documents']; leeg: geen verlenging mogelijk."),
    )
    extension_requires_durable_prospect = models.BooleanField(
        _("verlenging alleen bij verwachte bestendige oplossing"), default=False
    )
    max_total_stay_days = models.PositiveIntegerField(
        _("absolute maximale verblijfsduur (dagen)"),
        null=True,
        blank=True,
        help_text=_("Inclusief verlengingen; leeg: geen absoluut maximum."),
    )
    legal_check_norm_days = models.PositiveIntegerField(
        _("norm juridische check (dagen)"), default=28
    )
    avim_identity_check = models.BooleanField(
        _("identiteitsonderzoek door AVIM bij intake"), default=False
    )
    medical_intake_by = models.CharField(
        _("medische intake door"),
        max_length=16,
        choices=MedicalIntakeBy.choices,
        default=MedicalIntakeBy.NGO,
    )
    consent_mode = models.CharField(
        _("moment van toestemming"),
        max_length=16,
        choices=ConsentMode.choices,
        default=ConsentMode.AT_INTAKE,
    )
    durable_outflow_target_pct = models.PositiveSmallIntegerField(
        _("doel bestendige uitstroom (%)"),
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    admission_conditions = models.JSONField(
        _("extra toelatingsvoorwaarden"),
        default=list,
        blank=True,
        help_text=_("Aanvullende lokale voorwaarden, bv. een reëel vertrekperspectief."),
    )
    exception_decider = models.CharField(
        _("wie beslist over uitzonderingen"),
        max_length=16,
        choices=ExceptionDecider.choices,
        default=ExceptionDecider.LSO,
    )
    exception_forced_scenario = models.CharField(
        _("verplicht scenario bij uitzondering"),
        max_length=32,
        choices=Scenario.choices,
        blank=True,
        help_text=_(
            "Bijvoorbeeld Groningen: bij een uitzondering is het scenario altijd terugkeer."
        ),
    )
    forced_departure_requires_ngo_check = models.BooleanField(
        _("gedwongen vertrek pas na navraag bij de maatschappelijke organisatie"), default=False
    )
    pays_living_allowance = models.BooleanField(_("verstrekt leefgeld"), default=False)
    admission_parties = models.JSONField(
        _("partijen die akkoord moeten geven op toelating"),
        default=list,
        blank=True,
        help_text=_(
            "Soorten organisaties (bv. ['municipality', 'ngo', 'ind', 'dtv']) die elk de "
            "toelating toetsen; toelaten kan pas als zij allemaal akkoord zijn. Leeg: geen "
            "akkoord per partij nodig (Eindhoven: alle LSO-partijen)."
        ),
    )
    admission_by_signed_intake_form = models.BooleanField(
        _("toelating pas met ondertekend intakeformulier"),
        default=False,
        help_text=_(
            "De deelnemer ondertekent bij de intake een intakeformulier; dat is het formele "
            "moment van toelating (Eindhoven). Toelaten gebeurt dan door het ondertekende "
            "formulier met de datum van ondertekening te registreren."
        ),
    )

    class Meta:
        verbose_name = _("beleid")
        verbose_name_plural = _("beleid")

    def __str__(self) -> str:
        return f"Beleid {self.lvv}"

    @property
    def admits_on_case_page(self) -> bool:
        """Whether admission is a step of the case page (every party's agreement, or the signed
        intake form: ADR 0105) rather than a bare date on the registry's admit page."""
        return bool(self.admission_by_signed_intake_form or self.admission_parties)


class Location(models.Model):
    """A shelter location of an LVV with its type and number of places."""

    class ShelterType(models.TextChoices):
        FULL_DAY = "full_day", _("24-uursopvang")
        NIGHT = "night", _("Nachtopvang")
        EVENING_NIGHT = "evening_night", _("Avond- en nachtopvang")
        NETWORK = "network", _("Netwerkopvang met leefgeld")
        SMALL_HOUSE = "small_house", _("Kleinschalige woning")
        MEDICAL = "medical", _("Medische opvangplek")
        PURCHASED = "purchased", _("Ingekochte plekken")

    lvv = models.ForeignKey(
        LVV, verbose_name=_("LVV"), on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(_("naam"), max_length=200)
    shelter_type = models.CharField(_("soort opvang"), max_length=32, choices=ShelterType.choices)
    places = models.PositiveIntegerField(_("aantal plekken"))
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["lvv", "name"]
        constraints = [
            models.UniqueConstraint(fields=["lvv", "name"], name="location_name_unique_in_lvv")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.lvv})"


class CapacityRecord(models.Model):
    """The funded capacity of an LVV from a date on, as recorded at a moment. Append-only: a
    correction is a new record for the same date, so an earlier monitor can be reproduced."""

    lvv = models.ForeignKey(
        LVV, verbose_name=_("LVV"), on_delete=models.CASCADE, related_name="capacity_records"
    )
    valid_from = models.DateField(_("geldig vanaf"))
    places = models.PositiveIntegerField(_("capaciteit (plekken)"))
    recorded_at = models.DateTimeField(_("geregistreerd op"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geregistreerd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("bron"), max_length=32, default="web")

    class Meta:
        verbose_name = _("capaciteit")
        verbose_name_plural = _("capaciteit")
        ordering = ["lvv", "valid_from", "recorded_at"]
        indexes = [models.Index(fields=["lvv", "valid_from", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.lvv}: {self.places} vanaf {self.valid_from:%d-%m-%Y}"
