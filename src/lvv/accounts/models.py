from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """One organisation taking part in the LVV network: a municipality, an NGO, a national agency,
    the programme bureau or a research institute."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Gemeente")
        NGO = "ngo", _("Maatschappelijke organisatie")
        IND = "ind", _("IND")
        DTV = "dtv", _("DT&V")
        AVIM = "avim", _("AVIM (vreemdelingenpolitie)")
        GGD = "ggd", _("GGD / medische dienst")
        PROGRAMME_BUREAU = "programme_bureau", _("Programmabureau")
        RESEARCH = "research", _("Onderzoeksinstituut")
        ADMINISTRATION = "administration", _("Functioneel beheer")

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=32, choices=Kind.choices)
    lvvs = models.ManyToManyField(
        "registry.LVV",
        verbose_name=_("LVV's"),
        related_name="organisations",
        blank=True,
        help_text=_("De LVV's waarin deze organisatie werkt."),
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a user does in the network; the access layer (lvv.access) decides what each may see."""

    COORDINATOR = "coordinator", _("Gemeentelijk coördinator")
    CASE_WORKER = "case_worker", _("Casemanager (maatschappelijke organisatie)")
    IND = "ind", _("IND-lid van het LSO")
    DTV = "dtv", _("DT&V-lid van het LSO")
    AVIM = "avim", _("AVIM-lid van het LSO")
    MEDICAL = "medical", _("Medisch professional")
    PROGRAMME_BUREAU = "programme_bureau", _("Programmabureau")
    RESEARCHER = "researcher", _("Onderzoeker")
    ADMINISTRATOR = "administrator", _("Functioneel beheerder")
    PRIVACY_OFFICER = "privacy_officer", _("Privacyfunctionaris")


class UserManager(AuthUserManager):
    """Users are read with their organisation (one join): the logged-in user of every request is
    loaded by Django's `ModelBackend.get_user` through this manager, and the access log's audit
    record then reads the organisation's name without a query of its own (issue 8)."""

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")


class User(AbstractUser):
    """A person who logs in: a staff member of one organisation, with one role, working in the LVVs
    listed (none for national roles)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices, blank=True)
    lvvs = models.ManyToManyField(
        "registry.LVV",
        verbose_name=_("LVV's"),
        related_name="users",
        blank=True,
        help_text=_("De LVV's waarin deze gebruiker werkt (leeg voor landelijke rollen)."),
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username


class UserSession(models.Model):
    """One logged-in session of a user, so that all of a user's sessions can be ended at once (when
    the user is disabled). Rows are added at login and removed at logout."""

    user = models.ForeignKey(
        User, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(_("sessiesleutel"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("begonnen op"), auto_now_add=True)

    class Meta:
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"
