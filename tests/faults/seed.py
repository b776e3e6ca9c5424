"""`python -m tests.faults.seed BUCKET COUNT`: the people and recordings the fault cases
use, written to the private database and S3; prints what the tests need as JSON."""

from __future__ import annotations

import json
import os
import sys

PASSWORD = "faults-correct-horse-battery"


def main(bucket: str, count: int) -> dict:
    from portal.accounts.tokens import token_create
    from recordings import storage
    from tests.factories import make_agent, make_group
    from tests.recordings.conftest import big_wav_bytes, make_media, persona

    storage.ensure_bucket(bucket, versioned=True)
    admin = persona("fault-admin", "Admin")
    analyst = persona("fault-analyst", "QualityAnalyst")
    for user in (admin, analyst):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    team = make_group("Faults", level=1)
    agent = make_agent("fault-agent", group=team)
    # Four chunks of audio, so a fetch can be struck between two of them.
    audio = big_wav_bytes(4)
    contacts = [make_media(bucket, agent=agent, audio=audio).contact_id for _ in range(count)]
    return {"token": token_create(user=admin), "admin": admin.username, "analyst": analyst.username,
            "password": PASSWORD, "contacts": contacts}  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    print("SEED " + json.dumps(main(sys.argv[1], int(sys.argv[2]))))
