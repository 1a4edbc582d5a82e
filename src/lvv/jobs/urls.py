from django.urls import path

from lvv.jobs import views

app_name = "jobs"

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("taken/<uuid:pk>/voortgang/", views.job_progress_partial, name="progress"),
]
