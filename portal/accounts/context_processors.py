from __future__ import annotations


def portal_context(request) -> dict:
    user = getattr(request, "user", None)
    granted = user.connect_permissions if user is not None and user.is_authenticated else frozenset()
    return {"connect_permissions": granted}
