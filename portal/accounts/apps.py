from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_default_profiles(sender, using="default", **kwargs) -> None:
    """Connect's default profiles exist after every migrate, and after a test flush
    (which re-emits post_migrate). Existing profiles are never changed, so admins'
    edits stay."""
    from portal.accounts.default_profiles import DEFAULT_PROFILES
    from portal.accounts.models import SecurityProfile

    for name, permissions in DEFAULT_PROFILES.items():
        SecurityProfile.objects.using(using).get_or_create(name=name, defaults={"permissions": sorted(permissions)})


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and security profiles"

    def ready(self) -> None:
        post_migrate.connect(ensure_default_profiles, sender=self, dispatch_uid="accounts-default-profiles")
