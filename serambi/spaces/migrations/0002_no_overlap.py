"""No two holding bookings of one space, nor holds of one piece of equipment, overlap.

PostgreSQL guarantees it with exclusion constraints over the time range
[starts_at, blocked_until) (the booking plus the room's buffer), btree_gist
giving the equality on the id. SQLite has no such constraint: there the
booking service checks inside a transaction that takes the write lock first
(the IMMEDIATE transaction mode in settings), so two bookings are never
checked at the same time.
"""

from django.db import migrations

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE spaces_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
        space_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (space_id IS NOT NULL AND status IN ('requested', 'confirmed', 'checked_in'))""",
    """ALTER TABLE spaces_equipmentbooking ADD CONSTRAINT equipment_booking_no_overlap
    EXCLUDE USING gist (
        equipment_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (is_holding)""",
]
POSTGRES_REMOVE = [
    "ALTER TABLE spaces_equipmentbooking DROP CONSTRAINT IF EXISTS equipment_booking_no_overlap",
    "ALTER TABLE spaces_booking DROP CONSTRAINT IF EXISTS booking_no_overlap",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_INSTALL}), _run({"postgresql": POSTGRES_REMOVE})
        )
    ]
