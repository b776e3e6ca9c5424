from django.db import migrations


def create_defaults(apps, schema_editor):
    from portal.accounts.default_profiles import DEFAULT_PROFILES

    SecurityProfile = apps.get_model("accounts", "SecurityProfile")
    for name, permissions in DEFAULT_PROFILES.items():
        SecurityProfile.objects.get_or_create(name=name, defaults={"permissions": sorted(permissions)})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
