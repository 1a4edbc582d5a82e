"""Pages of the register. Names are a contract for other apps: `registry:person_detail`
(<uuid:person_id>) and `registry:stay_<action>` (<uuid:stay_id>)."""

from django.urls import path

from lvv.registry import views

app_name = "registry"

urlpatterns = [
    path("personen/", views.person_list, name="person_list"),
    path("personen/nieuw/", views.person_register, name="person_register"),
    path("personen/<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("personen/<uuid:person_id>/wijzigen/", views.person_correct, name="person_correct"),
    path(
        "personen/<uuid:person_id>/aanmelden/",
        views.person_register_stay,
        name="person_register_stay",
    ),
    path("verblijven/<uuid:stay_id>/toelaten/", views.stay_admit, name="stay_admit"),
    path("verblijven/<uuid:stay_id>/wachtlijst/", views.stay_waitlist, name="stay_waitlist"),
    path("verblijven/<uuid:stay_id>/afwijzen/", views.stay_refuse, name="stay_refuse"),
    path("verblijven/<uuid:stay_id>/scenario/", views.stay_scenario, name="stay_scenario"),
    path("verblijven/<uuid:stay_id>/uitstroom/", views.stay_outflow, name="stay_outflow"),
    path("verblijven/<uuid:stay_id>/vervolg/", views.stay_follow_up, name="stay_follow_up"),
    path("verblijven/<uuid:stay_id>/locatie/", views.stay_location, name="stay_location"),
    path(
        "verblijven/<uuid:stay_id>/organisatie/", views.stay_organisation, name="stay_organisation"
    ),
    path("verblijven/<uuid:stay_id>/gegevens/", views.stay_details, name="stay_details"),
    path("gebeurtenissen/<int:event_id>/intrekken/", views.event_void, name="event_void"),
]
