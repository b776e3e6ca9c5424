from django.db import migrations

RESTRICT = "RestrictContactAccessByHierarchy.View"


def unrestrict_admin(apps, schema_editor):
    SecurityProfile = apps.get_model("accounts", "SecurityProfile")
    for profile in SecurityProfile.objects.filter(name="Admin", permissions__contains=[RESTRICT]):
        profile.permissions = [name for name in profile.permissions if name != RESTRICT]
        profile.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_profiles")]

    operations = [migrations.RunPython(unrestrict_admin, migrations.RunPython.noop)]
