from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_stay_last_valid_on"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["family_name", "given_names", "id"], name="person_name_order"
            ),
        ),
    ]
