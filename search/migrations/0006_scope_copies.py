from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

# Each search document gets a copy of its contact's scope and initiation time (see
# search/sql/scope_copy.sql): the columns are added, the triggers installed, existing
# rows filled, and only then indexed, so the fill does not update indexes too.
SQL = (Path(__file__).resolve().parent.parent / "sql" / "scope_copy.sql").read_text()
FILL = """
UPDATE search_transcriptsearchdoc AS d SET agent_id = c.agent_id, hierarchy_l1 = c.hierarchy_l1,
    hierarchy_l2 = c.hierarchy_l2, hierarchy_l3 = c.hierarchy_l3, hierarchy_l4 = c.hierarchy_l4,
    hierarchy_l5 = c.hierarchy_l5, initiation_ts = c.initiation_ts
FROM search_contact AS c WHERE c.contact_id = d.contact_id
"""
REVERSE = """
DROP TRIGGER IF EXISTS scope_copy_push_insert ON search_contact;
DROP TRIGGER IF EXISTS scope_copy_push_update ON search_contact;
DROP TRIGGER IF EXISTS scope_copy_push_delete ON search_contact;
DROP TRIGGER IF EXISTS scope_copy_fill ON search_transcriptsearchdoc;
DROP FUNCTION IF EXISTS public.portal_scope_copy_push();
DROP FUNCTION IF EXISTS public.portal_scope_copy_fill();
"""
COPIES = {
    "agent": models.ForeignKey(
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="hierarchy.agent",
    ),
    **{f"hierarchy_l{level}": models.CharField(max_length=64, null=True) for level in range(1, 6)},
    "initiation_ts": models.DateTimeField(null=True),
}
INDEXES = [
    *[
        models.Index(
            fields=[f"hierarchy_l{level}", "initiation_ts"],
            name=f"transcript_scope_l{level}",
            condition=models.Q(**{f"hierarchy_l{level}__isnull": False}),
        )
        for level in range(1, 6)
    ],
    models.Index(fields=["agent", "initiation_ts"], name="transcript_scope_agent"),
    models.Index(fields=["initiation_ts"], name="transcript_initiation"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("hierarchy", "0001_initial"),
        ("search", "0005_scope_covering_indexes"),
    ]

    operations = [
        *[
            migrations.AddField(model_name="transcriptsearchdoc", name=name, field=field)
            for name, field in COPIES.items()
        ],
        migrations.RunSQL([SQL, FILL], REVERSE),
        *[migrations.AddIndex(model_name="transcriptsearchdoc", index=index) for index in INDEXES],
    ]
