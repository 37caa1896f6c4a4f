"""The member categories a library starts with, written when the list is empty.

Run by the data migration and again after every ``migrate`` or ``flush``
(post_migrate), so a database never lacks them; the library renames, adds
or retires categories on the staff pages, and a list that is not empty is
never touched.
"""

# (code, name, description, membership months, needs a guardian): the glossary's
# categories, as Indonesian public libraries name them.
CATEGORIES = (
    ("umum", "Umum", "Masyarakat umum", 24, False),
    ("pelajar", "Pelajar", "Siswa SD, SMP, SMA atau SMK", 12, False),
    ("mahasiswa", "Mahasiswa", "Mahasiswa perguruan tinggi", 12, False),
    ("anak", "Anak", "Anak di bawah 13 tahun, didaftarkan orang tua atau wali", 12, True),
    ("lansia", "Lansia", "Warga berusia 60 tahun ke atas", 36, False),
    ("difabel", "Difabel", "Pemustaka penyandang disabilitas", 36, False),
    ("institusi", "Institusi", "Sekolah, komunitas atau lembaga", 12, False),
)


def ensure_default_categories(category_model, *, using: str = "default") -> int:
    """Create the starting categories when there are none; the model is passed in so that
    a migration can give its historical one. Returns how many were created."""
    categories = category_model.objects.using(using)
    if categories.exists():
        return 0
    categories.bulk_create(
        category_model(
            code=code,
            name=name,
            description=description,
            membership_months=months,
            needs_guardian=guardian,
            position=position,
        )
        for position, (code, name, description, months, guardian) in enumerate(CATEGORIES)
    )
    return len(CATEGORIES)


def ensure_after_migrate(sender, **kwargs) -> None:
    from .models import MemberCategory

    ensure_default_categories(MemberCategory, using=kwargs.get("using", "default"))
