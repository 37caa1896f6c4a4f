"""What the demo library is: its service points, hours, holidays and people.

Plain data, read by ``services.load_demo_library``. The library's name is
the one configured in settings (``SERAMBI_LIBRARY_NAME``, "Perpustakaan Kota"
by default); the demo adds its central building, two branches and a
Pustaka Keliling van, as a city library in Indonesia typically has.
"""

import datetime
from dataclasses import dataclass

from serambi.core.models import Branch
from serambi.core.services import OpeningPeriod


def _t(text: str) -> datetime.time:
    hours, minutes = text.split(".")
    return datetime.time(int(hours), int(minutes))


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# Government office hours as most city libraries keep them: a long break on
# Friday for the Friday prayer, a short Saturday.
WEEKDAY_HOURS: tuple[OpeningPeriod, ...] = (
    *[(day, _t("08.00"), _t("16.00")) for day in (MON, TUE, WED, THU)],
    (FRI, _t("08.00"), _t("11.30")),
    (FRI, _t("13.00"), _t("16.30")),
    (SAT, _t("09.00"), _t("14.00")),
)
# The van serves schools and villages on Tuesday and Thursday, and the car-free
# day at the town square on Sunday morning.
VAN_ROUTE_HOURS: tuple[OpeningPeriod, ...] = (
    (TUE, _t("09.00"), _t("14.00")),
    (THU, _t("09.00"), _t("14.00")),
    (SUN, _t("06.00"), _t("10.00")),
)


@dataclass(frozen=True)
class DemoBranch:
    code: str
    name: str
    kind: str
    address: str
    phone: str
    email: str
    hours: tuple[OpeningPeriod, ...]
    # Share of the copies beyond a record's first, which is always at the central library.
    copy_weight: int
    racks: int


BRANCHES = (
    DemoBranch(
        code="pusat",
        name="Gedung Pusat",
        kind=Branch.Kind.CENTRAL,
        address="Jl. Diponegoro No. 12, Kelurahan Kauman",
        phone="(0293) 362 145",
        email="layanan@perpustakaan.example",
        hours=WEEKDAY_HOURS,
        copy_weight=40,
        racks=24,
    ),
    DemoBranch(
        code="utara",
        name="Cabang Utara",
        kind=Branch.Kind.BRANCH,
        address="Kompleks Pasar Rejowinangun Lt. 2, Jl. Jenderal Sudirman No. 88",
        phone="(0293) 365 220",
        email="cabang.utara@perpustakaan.example",
        hours=WEEKDAY_HOURS,
        copy_weight=20,
        racks=8,
    ),
    DemoBranch(
        code="selatan",
        name="Cabang Selatan",
        kind=Branch.Kind.BRANCH,
        address="Gedung Serba Guna Kecamatan Selatan, Jl. Pahlawan No. 5",
        phone="(0293) 367 031",
        email="cabang.selatan@perpustakaan.example",
        hours=WEEKDAY_HOURS,
        copy_weight=18,
        racks=8,
    ),
    DemoBranch(
        code="keliling-1",
        name="Pustaka Keliling 1",
        kind=Branch.Kind.MOBILE,
        address="Berangkat dari Gedung Pusat, Jl. Diponegoro No. 12",
        phone="0812 2700 4415",
        email="",
        hours=VAN_ROUTE_HOURS,
        copy_weight=12,
        racks=0,
    ),
)

# National holidays of 2026 (hari libur nasional) whose dates are fixed or
# astronomically certain, closing every branch. Holidays set by the
# government's yearly decree from a moon sighting (Isra Mikraj, Waisak,
# Tahun Baru Islam, Maulid Nabi) and the cuti bersama days are added by
# each library from the decree itself.
HOLIDAYS_2026 = (
    (datetime.date(2026, 1, 1), "Tahun Baru 2026 Masehi"),
    (datetime.date(2026, 2, 17), "Tahun Baru Imlek 2577 Kongzili"),
    (datetime.date(2026, 3, 19), "Hari Suci Nyepi Tahun Baru Saka 1948"),
    (datetime.date(2026, 3, 20), "Hari Raya Idul Fitri 1447 H"),
    (datetime.date(2026, 3, 21), "Hari Raya Idul Fitri 1447 H"),
    (datetime.date(2026, 4, 3), "Wafat Yesus Kristus"),
    (datetime.date(2026, 4, 5), "Kebangkitan Yesus Kristus (Paskah)"),
    (datetime.date(2026, 5, 1), "Hari Buruh Internasional"),
    (datetime.date(2026, 5, 14), "Kenaikan Yesus Kristus"),
    (datetime.date(2026, 5, 27), "Hari Raya Idul Adha 1447 H"),
    (datetime.date(2026, 6, 1), "Hari Lahir Pancasila"),
    (datetime.date(2026, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
    (datetime.date(2026, 12, 25), "Hari Raya Natal"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str
    is_superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@perpustakaan.example"


# Fixed passwords so that anyone trying the demo can sign in; each passes
# Django's password validators (checked by the demo's tests).
ACCOUNTS = (
    DemoAccount("admin", "serambi-admin", "Rina", "Hartati", "administrator", is_superuser=True),
    DemoAccount("katalog", "serambi-katalog", "Dewi", "Lestari", "cataloguer"),
    DemoAccount("sirkulasi", "serambi-sirkulasi", "Agus", "Setiawan", "circulation"),
    DemoAccount("pemustaka", "serambi-pemustaka", "Budi", "Santoso", "patron"),
    DemoAccount("tamu", "serambi-bukutamu", "Kios", "Buku Tamu", "kiosk"),
)


@dataclass(frozen=True)
class DemoMember:
    """A member of the demo library; ``expires_in`` is in days from the day of loading."""

    card_number: str
    full_name: str
    category: str
    birth_year: int
    branch: str
    kelurahan: str
    kecamatan: str
    address: str
    phone: str
    expires_in: int = 300
    guardian: str = ""
    institution: str = ""
    keep_reading_history: bool = False
    receive_news: bool = False
    accessibility_needs: str = ""
    status: str = "active"  # "pending" for an online pre-registration not yet verified
    username: str = ""  # a sign-in account of ACCOUNTS this member belongs to


# Members of every category; a few expired, one pending at the desk. Names,
# streets and kelurahan are those of a mid-sized Central Java city.
MEMBERS = (
    DemoMember(
        "A2026000017",
        "Budi Santoso",
        "umum",
        1988,
        "pusat",
        "Kauman",
        "Magelang Tengah",
        "Jl. Ikhlas No. 7",
        "081227450913",
        keep_reading_history=True,
        receive_news=True,
        username="pemustaka",
    ),
    DemoMember(
        "A2026000025",
        "Siti Nurhaliza Putri",
        "mahasiswa",
        2004,
        "pusat",
        "Kedungsari",
        "Magelang Utara",
        "Jl. Pahlawan Gg. Melati No. 3",
        "085641230087",
        institution="Universitas Tidar",
        keep_reading_history=True,
    ),
    DemoMember(
        "A2026000033",
        "Rizky Pratama",
        "pelajar",
        2009,
        "utara",
        "Potrobangsan",
        "Magelang Utara",
        "Jl. Sunan Bonang No. 21",
        "089612345780",
        institution="SMA Negeri 1 Magelang",
    ),
    DemoMember(
        "A2026000041",
        "Aisyah Ramadhani",
        "anak",
        2016,
        "selatan",
        "Jurangombo Utara",
        "Magelang Selatan",
        "Perum Korpri Blok C-12",
        "081390021456",
        guardian="Hendra Wijaya (ayah)",
    ),
    DemoMember(
        "A2026000058",
        "Sutrisno",
        "lansia",
        1951,
        "pusat",
        "Cacaban",
        "Magelang Tengah",
        "Jl. Tidar No. 45",
        "0293362871",
        receive_news=True,
        accessibility_needs="Membaca dengan cetakan huruf besar",
    ),
    DemoMember(
        "A2026000066",
        "Wahyu Hidayat",
        "difabel",
        1979,
        "pusat",
        "Panjang",
        "Magelang Tengah",
        "Jl. Yos Sudarso No. 9",
        "081328776540",
        accessibility_needs="Pengguna kursi roda; butuh meja rendah",
    ),
    DemoMember(
        "A2026000074",
        "SD Negeri Kemirirejo 1",
        "institusi",
        1960,
        "keliling-1",
        "Kemirirejo",
        "Magelang Tengah",
        "Jl. Kemiri No. 2",
        "0293364410",
        institution="SD Negeri Kemirirejo 1",
        expires_in=200,
    ),
    DemoMember(
        "A2026000082",
        "Dewi Anggraini",
        "umum",
        1992,
        "utara",
        "Wates",
        "Magelang Utara",
        "Jl. Ahmad Yani No. 131",
        "081804567123",
        keep_reading_history=True,
    ),
    DemoMember(
        "A2026000090",
        "Fajar Nugroho",
        "mahasiswa",
        2002,
        "pusat",
        "Magersari",
        "Magelang Selatan",
        "Jl. Kapten Tendean No. 17",
        "087712098345",
        institution="Universitas Muhammadiyah Magelang",
        expires_in=-40,
    ),
    DemoMember(
        "A2026000108",
        "Ratna Sari Dewi",
        "umum",
        1985,
        "selatan",
        "Tidar Selatan",
        "Magelang Selatan",
        "Jl. Sidotopo No. 4",
        "082134567098",
        expires_in=-120,
    ),
    DemoMember(
        "A2026000116",
        "Galih Saputra",
        "pelajar",
        2010,
        "selatan",
        "Kramat Selatan",
        "Magelang Utara",
        "Jl. Pierre Tendean Gg. II No. 6",
        "089501234876",
        institution="SMP Negeri 2 Magelang",
    ),
    DemoMember(
        "A2026000124",
        "Nabila Azzahra",
        "anak",
        2017,
        "pusat",
        "Rejowinangun Utara",
        "Magelang Tengah",
        "Jl. Sriwijaya No. 30",
        "081225509871",
        guardian="Lestari Handayani (ibu)",
    ),
    DemoMember(
        "A2026000132",
        "Hadi Purnomo",
        "lansia",
        1955,
        "utara",
        "Kiringan",
        "Magelang Utara",
        "Jl. Senopati No. 11",
        "0293360019",
    ),
    DemoMember(
        "A2026000140",
        "Yulia Kartika",
        "umum",
        1996,
        "pusat",
        "Gelangan",
        "Magelang Tengah",
        "Jl. Veteran No. 2A",
        "081575643210",
        status="pending",
    ),
    DemoMember(
        "A2026000157",
        "Komunitas Pecinta Literasi Magelang",
        "institusi",
        2015,
        "pusat",
        "Kauman",
        "Magelang Tengah",
        "Jl. Diponegoro No. 40",
        "081234509876",
        institution="Komunitas Pecinta Literasi Magelang",
    ),
    DemoMember(
        "A2026000165",
        "Andi Setiawan",
        "umum",
        1990,
        "utara",
        "Kedungsari",
        "Magelang Utara",
        "Jl. Cempaka No. 8",
        "085290876543",
    ),
)

# Purposes and names of the week's guests and groups in the guest book.
GUESTS = (
    ("Eko Prasetyo", "Dinas Pendidikan Kota", "research"),
    ("Maria Ulfa", "", "read"),
    ("Teguh Santosa", "Radio Gema Tidar", "event"),
    ("Intan Permatasari", "Universitas Tidar", "study"),
    ("Bambang Riyadi", "", "internet"),
    ("Lina Marlina", "UMKM Batik Tulis Magelang", "space"),
)
GROUPS = (
    ("Kelas 4 SD Negeri Magelang 2", "SD Negeri Magelang 2", 28),
    ("Pramuka SMP Negeri 5", "SMP Negeri 5 Magelang", 16),
    ("Posyandu Melati", "Kelurahan Kauman", 12),
)
