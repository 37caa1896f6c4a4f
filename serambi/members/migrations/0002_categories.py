from django.db import migrations

# The categories of the glossary, as Indonesian public libraries name them;
# the library renames, adds or retires them on the staff pages.
CATEGORIES = [
    ("umum", "Umum", "Masyarakat umum", 24, False),
    ("pelajar", "Pelajar", "Siswa SD, SMP, SMA atau SMK", 12, False),
    ("mahasiswa", "Mahasiswa", "Mahasiswa perguruan tinggi", 12, False),
    ("anak", "Anak", "Anak di bawah 13 tahun, didaftarkan orang tua atau wali", 12, True),
    ("lansia", "Lansia", "Warga berusia 60 tahun ke atas", 36, False),
    ("difabel", "Difabel", "Pemustaka penyandang disabilitas", 36, False),
    ("institusi", "Institusi", "Sekolah, komunitas atau lembaga", 12, False),
]


def add_categories(apps, schema_editor):
    MemberCategory = apps.get_model("members", "MemberCategory")
    for position, (code, name, description, months, guardian) in enumerate(CATEGORIES):
        MemberCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "membership_months": months,
                "needs_guardian": guardian,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
