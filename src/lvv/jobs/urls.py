from django.urls import path

from lvv.jobs import views

app_name = "jobs"

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("taken/", views.job_list, name="list"),
    path("taken/<uuid:pk>/", views.job_detail, name="detail"),
    path("taken/<uuid:pk>/voortgang/", views.job_progress_partial, name="progress"),
    path("taken/<uuid:pk>/bestand/", views.job_file, name="file"),
]
