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
)
