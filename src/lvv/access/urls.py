from django.urls import path

from lvv.access import views

app_name = "access"

urlpatterns = [
    path("privacy/logboek/", views.access_log, name="log"),
    path("privacy/inzage/", views.subject_access, name="subject-access"),
    path("onderzoek/", views.research, name="research"),
    path("personen/<uuid:person_id>/toestemming/", views.consent_panel, name="consent"),
]
