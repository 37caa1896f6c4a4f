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
    DemoAccount("kegiatan", "serambi-kegiatan", "Ratih", "Kusumawati", "programs"),
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


# --- the creative space (ruang kreatif) ------------------------------------------


@dataclass(frozen=True)
class DemoSpace:
    """A room members may book; the rules left out are the room's defaults."""

    slug: str
    name: str
    kind: str
    branch: str
    capacity: int
    description: str
    features: tuple[str, ...]
    accessibility: str = ""
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 120
    book_ahead_days: int = 14
    buffer_minutes: int = 0
    max_hours_per_week: int | None = None
    max_bookings_per_week: int | None = None
    requires_approval: bool = False
    categories: tuple[str, ...] = ()  # member category codes; empty: every member


SPACES = (
    DemoSpace(
        "ruang-diskusi-1",
        "Ruang Diskusi 1",
        "discussion_room",
        "pusat",
        8,
        "Ruang kaca berpendingin di lantai 2 untuk kerja kelompok, rapat komunitas "
        "dan bimbingan belajar.",
        ("Layar TV 50 inci dengan kabel HDMI", "Papan tulis", "Meja bundar 8 kursi", "Wi-Fi"),
        accessibility="Lantai 2, lift dari lobi; pintu lebar untuk kursi roda",
        buffer_minutes=15,
        max_hours_per_week=6,
    ),
    DemoSpace(
        "ruang-diskusi-2",
        "Ruang Diskusi 2",
        "discussion_room",
        "pusat",
        6,
        "Ruang kecil yang tenang untuk diskusi dan belajar bersama.",
        ("Papan tulis", "Meja 6 kursi", "Stop kontak di setiap kursi", "Wi-Fi"),
        accessibility="Lantai 2, lift dari lobi",
        buffer_minutes=15,
        max_hours_per_week=6,
    ),
    DemoSpace(
        "studio-seni",
        "Studio Seni",
        "art_studio",
        "pusat",
        12,
        "Studio terang untuk melukis, menggambar, membatik dan kerajinan tangan; "
        "bahan habis pakai dibawa sendiri.",
        ("Meja gambar besar", "Kuda-kuda lukis (6)", "Wastafel", "Lemari alat lukis"),
        accessibility="Lantai 1, tanpa tangga",
        max_minutes=180,
        buffer_minutes=30,
    ),
    DemoSpace(
        "studio-konten-digital",
        "Studio Konten Digital",
        "digital_studio",
        "pusat",
        4,
        "Studio kedap suara untuk merekam podcast dan video, dengan komputer "
        "berperangkat lunak desain. Pemesanan disetujui petugas lebih dulu.",
        (
            "2 komputer dengan perangkat lunak desain grafis dan penyunting video",
            "Layar hijau (green screen)",
            "Lampu ring light dan softbox",
            "Peredam suara",
        ),
        accessibility="Lantai 2, lift dari lobi",
        slot_minutes=60,
        min_minutes=60,
        max_minutes=180,
        buffer_minutes=30,
        max_bookings_per_week=2,
        requires_approval=True,
        categories=("umum", "mahasiswa", "pelajar", "difabel", "institusi"),
    ),
    DemoSpace(
        "aula-serbaguna",
        "Aula Serbaguna",
        "hall",
        "pusat",
        80,
        "Aula untuk seminar, pelatihan, bedah buku dan pertunjukan; dipakai juga "
        "untuk kegiatan perpustakaan.",
        ("Proyektor dan layar", "Sound system dengan 2 mikrofon nirkabel", "80 kursi lipat"),
        accessibility="Lantai 1, tanpa tangga; tempat kursi roda di barisan depan",
        slot_minutes=60,
        min_minutes=60,
        max_minutes=240,
        book_ahead_days=30,
        buffer_minutes=30,
        requires_approval=True,
    ),
    DemoSpace(
        "pojok-anak",
        "Pojok Anak",
        "children_corner",
        "pusat",
        15,
        "Ruang berkarpet dengan buku cerita bergambar dan mainan edukatif, untuk "
        "mendongeng dan kegiatan anak bersama orang tua.",
        ("Karpet dan bantal duduk", "Rak buku cerita bergambar", "Mainan edukatif"),
        accessibility="Lantai 1, tanpa tangga; toilet anak di dekatnya",
        max_minutes=120,
    ),
    DemoSpace(
        "ruang-kelompok-utara",
        "Ruang Belajar Kelompok",
        "discussion_room",
        "utara",
        10,
        "Ruang belajar kelompok di Cabang Utara, di atas Pasar Rejowinangun.",
        ("Meja panjang 10 kursi", "Papan tulis", "Wi-Fi"),
        accessibility="Lantai 2, lift pasar",
        max_hours_per_week=4,
    ),
)


@dataclass(frozen=True)
class DemoEquipment:
    name: str
    description: str
    branch: str
    space: str = ""  # kept in this room (slug); empty: at the desk
    bookable_alone: bool = False


EQUIPMENT = (
    DemoEquipment(
        "Kamera mirrorless Sony A6400",
        "Dengan lensa kit 16–50 mm, dua baterai dan kartu memori 64 GB",
        "pusat",
        space="studio-konten-digital",
    ),
    DemoEquipment(
        "Mikrofon podcast Rode PodMic (2)",
        "Dua mikrofon dengan lengan dan antarmuka audio USB",
        "pusat",
        space="studio-konten-digital",
    ),
    DemoEquipment(
        "Kamera DSLR Canon EOS 90D",
        "Dengan tripod; dipakai di dalam gedung",
        "pusat",
        bookable_alone=True,
    ),
    DemoEquipment(
        "Laptop ASUS Vivobook 14 (1)",
        "Windows 11, LibreOffice, GIMP, Inkscape",
        "pusat",
        bookable_alone=True,
    ),
    DemoEquipment(
        "Laptop ASUS Vivobook 14 (2)",
        "Windows 11, LibreOffice, GIMP, Inkscape",
        "pusat",
        bookable_alone=True,
    ),
    DemoEquipment(
        "Tablet gambar Wacom Intuos",
        "Untuk ilustrasi digital; dipakai dengan laptop perpustakaan",
        "pusat",
        space="studio-seni",
    ),
    DemoEquipment(
        "Mikrofon nirkabel Shure (2)",
        "Untuk acara di aula",
        "pusat",
        space="aula-serbaguna",
    ),
    DemoEquipment(
        "Laptop Lenovo IdeaPad",
        "Windows 11, LibreOffice",
        "utara",
        space="ruang-kelompok-utara",
        bookable_alone=True,
    ),
)


# --- programs and events ------------------------------------------------------


@dataclass(frozen=True)
class DemoProgram:
    slug: str
    title: str
    category: str
    audience: str
    summary: str
    description: str
    facilitator: str = ""
    partners: str = ""
    is_series: bool = False
    gives_certificate: bool = False
    min_age: int | None = None
    max_age: int | None = None


PROGRAMS = (
    DemoProgram(
        "diskusi-buku-bulanan",
        "Diskusi Buku Bulanan",
        "book_discussion",
        "adults",
        "Sebulan sekali kita membaca satu buku dan membicarakannya bersama sambil minum teh.",
        "Klub baca perpustakaan terbuka untuk siapa saja yang suka membaca. Bukunya "
        "diumumkan sebulan sebelumnya dan tersedia beberapa eksemplar untuk dipinjam di "
        "meja sirkulasi. Tidak perlu sudah selesai membaca untuk ikut.",
        facilitator="Dewi Lestari, pustakawan",
        partners="Komunitas Pecinta Literasi Magelang",
        is_series=True,
    ),
    DemoProgram(
        "bengkel-penulisan-kreatif",
        "Bengkel Penulisan Kreatif",
        "workshop",
        "teens",
        "Empat pertemuan menulis cerpen: dari ide, tokoh dan alur sampai menyunting naskah.",
        "Peserta menulis satu cerpen selama empat pertemuan dan membacakannya di pertemuan "
        "terakhir. Cerpen terbaik dimuat di buletin perpustakaan. Bawa buku tulis atau laptop.",
        facilitator="Yusuf Ardiansyah (penulis, Komunitas Sastra Tidar)",
        partners="Komunitas Sastra Tidar",
        is_series=True,
        gives_certificate=True,
        min_age=13,
        max_age=21,
    ),
    DemoProgram(
        "literasi-digital-lansia",
        "Literasi Digital untuk Lansia",
        "digital",
        "seniors",
        "Belajar memakai ponsel pintar dengan tenang: WhatsApp, video call, dan mengenali hoaks.",
        "Kelas kecil dengan pendamping untuk setiap dua peserta. Bawa ponsel sendiri; "
        "tersedia juga tablet perpustakaan. Materi dicetak dengan huruf besar.",
        facilitator="Relawan TIK Kota Magelang",
        partners="Relawan TIK Kota Magelang",
        is_series=True,
        min_age=55,
    ),
    DemoProgram(
        "kelas-bahasa-inggris",
        "Kelas Bahasa Inggris Percakapan",
        "class",
        "teens",
        "Berlatih bercakap dalam bahasa Inggris sehari-hari, setiap Selasa sore.",
        "Kelas percakapan untuk pelajar dan mahasiswa yang ingin lebih percaya diri "
        "berbicara. Tiap pertemuan satu tema: perkenalan, memberi arah, wawancara kerja.",
        facilitator="Rahma Oktaviani, S.Pd. (UKM English Club Universitas Tidar)",
        partners="English Club Universitas Tidar",
        is_series=True,
        min_age=13,
    ),
    DemoProgram(
        "mendongeng-sabtu-pagi",
        "Mendongeng Sabtu Pagi",
        "storytelling",
        "children",
        "Dongeng dan cerita rakyat Nusantara untuk anak, setiap Sabtu pagi di Pojok Anak.",
        "Pendongeng membawakan cerita dengan boneka dan lagu. Anak-anak datang bersama "
        "orang tua atau pengasuh; tidak perlu mendaftar.",
        facilitator="Kak Wulan (Kampung Dongeng Magelang)",
        partners="Kampung Dongeng Magelang",
        is_series=True,
        min_age=4,
        max_age=10,
    ),
    DemoProgram(
        "lomba-menggambar-anak",
        "Lomba Menggambar Anak: Kotaku Magelang",
        "competition",
        "children",
        "Menggambar dan mewarnai bertema kota sendiri, untuk anak usia 6–12 tahun.",
        "Kertas gambar disediakan panitia; peserta membawa alat gambar sendiri. Pemenang "
        "diumumkan di Festival Literasi dan karyanya dipamerkan di lobi perpustakaan.",
        partners="Dinas Pendidikan dan Kebudayaan Kota Magelang",
        gives_certificate=True,
        min_age=6,
        max_age=12,
    ),
    DemoProgram(
        "festival-literasi",
        "Festival Literasi Kota Magelang 2026",
        "festival",
        "everyone",
        "Sehari penuh panggung dongeng, bedah buku, lapak komunitas dan bazar buku di alun-alun.",
        "Festival tahunan perpustakaan bersama komunitas literasi se-Kota Magelang: "
        "panggung dongeng, bedah buku penulis lokal, lapak komunitas, pameran karya lomba "
        "menggambar, dan Pustaka Keliling yang melayani pendaftaran anggota di tempat.",
        partners="Komunitas Pecinta Literasi Magelang, Kampung Dongeng Magelang",
    ),
    DemoProgram(
        "bazar-buku-murah",
        "Bazar Buku Murah",
        "bazaar",
        "everyone",
        "Buku bekas dan buku baru harga miring dari penerbit dan toko buku Magelang.",
        "Hasil penjualan buku hibah yang berlebih dipakai untuk menambah koleksi anak. "
        "Pembayaran tunai atau QRIS.",
        partners="Ikatan Penerbit Indonesia (IKAPI) Jawa Tengah",
    ),
    DemoProgram(
        "pelatihan-umkm-pemasaran-digital",
        "Pelatihan UMKM: Pemasaran Digital",
        "training",
        "adults",
        "Pelatihan untuk pelaku usaha kecil: berjualan lewat media sosial dan lokapasar.",
        "Dua sesi praktik: membuat katalog produk dan iklan sederhana di media sosial, "
        "lalu memotret produk dengan ponsel. Peserta mendapat sertifikat.",
        facilitator="Tim Rumah Kreatif BUMN Magelang",
        partners="Dinas Koperasi dan UKM Kota Magelang, Rumah Kreatif BUMN Magelang",
        is_series=True,
        gives_certificate=True,
        min_age=17,
    ),
    DemoProgram(
        "penyuluhan-kesehatan",
        "Penyuluhan Kesehatan: Cegah Demam Berdarah",
        "health",
        "families",
        "Bersama Puskesmas Magelang Tengah: mengenali gejala DBD dan gerakan 3M Plus di rumah.",
        "Penyuluhan dan tanya jawab dengan dokter dan petugas kesehatan lingkungan, "
        "dilanjutkan cek tekanan darah gratis.",
        facilitator="dr. Anisa Rahmawati (Puskesmas Magelang Tengah)",
        partners="Puskesmas Magelang Tengah, Dinas Kesehatan Kota Magelang",
    ),
)


@dataclass(frozen=True)
class DemoEvent:
    """A session ``days`` from the day of loading, moved on (or back, for a past one) to the
    next open ``weekday`` of its branch; ``sessions`` > 1 repeats it weekly.

    Registrants come in order: members by card, then ``guests`` invented guests;
    for a past event those in ``absent`` (cards, or "guest" for every third
    guest) did not come, the rest were scanned in at the door.
    """

    program: str
    days: int
    weekday: int
    starts: str
    ends: str
    branch: str = "pusat"
    space: str = ""
    capacity: int | None = None
    title: str = ""
    registration_required: bool = True
    location: str = ""
    online_url: str = ""
    accessibility: str = ""
    sessions: int = 1
    members: tuple[str, ...] = ()
    guests: int = 0
    absent: tuple[str, ...] = ()
    series: bool = False  # the members register for every coming session at once
    cancels: tuple[str, ...] = ()  # cards who cancel after everyone registered
    late: tuple[str, ...] = ()  # cards who register last, after the event filled


BUDI, SITI, RIZKY, AISYAH, SUTRISNO = (
    "A2026000017",
    "A2026000025",
    "A2026000033",
    "A2026000041",
    "A2026000058",
)
WAHYU, DEWI, GALIH, NABILA, HADI, ANDI = (
    "A2026000066",
    "A2026000082",
    "A2026000116",
    "A2026000124",
    "A2026000132",
    "A2026000165",
)

EVENTS = (
    # Past: attended, with a few no-shows; certificates where the program gives them.
    DemoEvent(
        "diskusi-buku-bulanan",
        -26,
        SAT,
        "10.00",
        "12.00",
        space="ruang-diskusi-1",
        capacity=8,
        title="Diskusi Buku Bulanan: Laut Bercerita (Leila S. Chudori)",
        members=(BUDI, SITI, DEWI, ANDI, WAHYU),
        guests=2,
        absent=(ANDI,),
    ),
    DemoEvent(
        "pelatihan-umkm-pemasaran-digital",
        -12,
        THU,
        "09.00",
        "12.00",
        space="aula-serbaguna",
        capacity=30,
        title="Pelatihan UMKM 1: Berjualan lewat Media Sosial",
        members=(BUDI, DEWI, ANDI, HADI),
        guests=14,
        absent=(HADI, "guest"),
    ),
    DemoEvent(
        "penyuluhan-kesehatan",
        -6,
        WED,
        "09.00",
        "11.00",
        space="aula-serbaguna",
        capacity=60,
        members=(SUTRISNO, HADI, SITI, AISYAH),
        guests=12,
        absent=("guest",),
    ),
    DemoEvent(
        "literasi-digital-lansia",
        -9,
        MON,
        "09.00",
        "11.00",
        space="studio-seni",
        capacity=8,
        title="Literasi Digital untuk Lansia: WhatsApp dan Video Call",
        members=(SUTRISNO, HADI),
        guests=5,
    ),
    DemoEvent(
        "bazar-buku-murah",
        -17,
        SAT,
        "09.00",
        "14.00",
        branch="utara",
        location="Halaman Pasar Rejowinangun",
        registration_required=False,
    ),
    # A series under way: two sessions past, two to come.
    DemoEvent(
        "bengkel-penulisan-kreatif",
        -15,
        WED,
        "13.00",
        "15.00",
        space="ruang-diskusi-2",
        capacity=6,
        sessions=4,
        members=(RIZKY, GALIH, SITI),
        guests=2,
        absent=(GALIH,),
    ),
    # Coming: open for registration, some full with a waitlist.
    DemoEvent(
        "diskusi-buku-bulanan",
        2,
        SAT,
        "10.00",
        "12.00",
        space="ruang-diskusi-1",
        capacity=8,
        title="Diskusi Buku Bulanan: Cantik Itu Luka (Eka Kurniawan)",
        members=(BUDI, SITI, DEWI, WAHYU),
        guests=1,
    ),
    DemoEvent(
        "mendongeng-sabtu-pagi",
        1,
        SAT,
        "09.30",
        "10.30",
        space="pojok-anak",
        registration_required=False,
        sessions=4,
    ),
    DemoEvent(
        "kelas-bahasa-inggris",
        1,
        TUE,
        "14.00",
        "15.30",
        space="ruang-diskusi-2",
        capacity=6,
        sessions=4,
        members=(RIZKY, GALIH, SITI),
        series=True,
        guests=1,
    ),
    DemoEvent(
        "pelatihan-umkm-pemasaran-digital",
        5,
        THU,
        "09.00",
        "12.00",
        space="studio-seni",
        capacity=10,
        title="Pelatihan UMKM 2: Foto Produk dengan Ponsel",
        members=(DEWI, ANDI, HADI),
        guests=8,
        late=(BUDI,),
        cancels=(ANDI,),
    ),
    DemoEvent(
        "literasi-digital-lansia",
        4,
        MON,
        "09.00",
        "11.00",
        space="studio-konten-digital",
        capacity=4,
        title="Literasi Digital untuk Lansia: Mengenali Hoaks",
        members=(SUTRISNO, HADI),
        guests=3,
    ),
    DemoEvent(
        "lomba-menggambar-anak",
        10,
        SAT,
        "09.30",
        "12.30",
        space="aula-serbaguna",
        capacity=40,
        members=(AISYAH, NABILA),
        guests=9,
        accessibility="Meja rendah tersedia untuk peserta berkursi roda",
    ),
    DemoEvent(
        "festival-literasi",
        20,
        SUN,
        "07.00",
        "13.00",
        branch="pusat",
        location="Alun-alun Kota Magelang",
        registration_required=False,
        online_url="https://www.youtube.com/@perpustakaan.example",
    ),
)

# Guests who register with a WhatsApp number (and some an e-mail).
EVENT_GUESTS = (
    ("Sri Wahyuni", "081226734510"),
    ("Agus Riyanto", "085729110452"),
    ("Tri Handayani", "081390877214"),
    ("Slamet Widodo", "082138456701"),
    ("Endang Susilowati", "085640093318"),
    ("Puji Astuti", "081575201946"),
    ("Joko Susanto", "089653301827"),
    ("Rini Kusumawati", "081227089366"),
    ("Heru Prasetyo", "087834220915"),
    ("Nur Aini", "085291764230"),
    ("Dwi Lestari", "081904556782"),
    ("Bayu Aji Nugroho", "082227340098"),
    ("Wulan Sari", "085878210463"),
    ("Eko Budiono", "081326647105"),
    ("Fitri Rahmawati", "089677123480"),
    ("Yoga Pratama", "085743389261"),
)


@dataclass(frozen=True)
class DemoBooking:
    """A member's booking ``days`` from the day of loading at a time, moved to an open day.

    ``outcome`` for a past one: "used" (checked in) or "no_show"; a coming one
    stays as booked (confirmed, or waiting when the room needs approval) unless
    it is "approved" by the staff.
    """

    card: str
    space: str
    days: int
    starts: str
    ends: str
    purpose: str
    people: int = 1
    equipment: tuple[str, ...] = ()
    organisation: str = ""
    accommodations: str = ""
    outcome: str = ""


BOOKINGS = (
    # Past week.
    DemoBooking(
        SITI, "ruang-diskusi-1", -5, "13.00", "15.00", "Kerja kelompok skripsi", 5, outcome="used"
    ),
    DemoBooking(
        RIZKY,
        "ruang-diskusi-2",
        -4,
        "14.00",
        "15.00",
        "Belajar kelompok persiapan UTBK",
        4,
        outcome="no_show",
    ),
    DemoBooking(
        BUDI,
        "studio-seni",
        -3,
        "09.00",
        "11.00",
        "Melukis cat air bersama anak",
        2,
        equipment=("Tablet gambar Wacom Intuos",),
        outcome="used",
    ),
    DemoBooking(
        DEWI,
        "ruang-kelompok-utara",
        -2,
        "10.00",
        "12.00",
        "Rapat arisan literasi RW 05",
        8,
        outcome="used",
    ),
    # Coming week.
    DemoBooking(SITI, "ruang-diskusi-1", 1, "10.00", "12.00", "Bimbingan skripsi kelompok", 4),
    DemoBooking(
        BUDI,
        "ruang-diskusi-2",
        2,
        "13.00",
        "14.30",
        "Rapat pengurus karang taruna",
        5,
        equipment=("Laptop ASUS Vivobook 14 (1)",),
    ),
    DemoBooking(
        WAHYU,
        "studio-konten-digital",
        3,
        "10.00",
        "12.00",
        "Rekaman podcast Suara Difabel Magelang",
        3,
        equipment=("Kamera mirrorless Sony A6400", "Mikrofon podcast Rode PodMic (2)"),
        accommodations="Kursi roda; meja rendah untuk mikrofon",
    ),
    DemoBooking(
        "A2026000157",
        "aula-serbaguna",
        6,
        "13.00",
        "15.00",
        "Peluncuran antologi puisi komunitas",
        50,
        equipment=("Mikrofon nirkabel Shure (2)",),
        organisation="Komunitas Pecinta Literasi Magelang",
        outcome="approved",
    ),
    DemoBooking(GALIH, "studio-seni", 4, "13.00", "15.00", "Latihan membuat komik untuk lomba", 3),
    DemoBooking(ANDI, "ruang-kelompok-utara", 2, "14.00", "15.30", "Belajar bersama les privat", 3),
    DemoBooking(
        DEWI,
        "ruang-diskusi-1",
        3,
        "13.00",
        "14.00",
        "Wawancara kerja daring",
        1,
        equipment=("Laptop ASUS Vivobook 14 (2)",),
    ),
)
