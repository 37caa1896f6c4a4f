"""APA 7th edition references built from catalogue data: names, lists, editors, editions."""

import pytest

from serambi.catalog.citation import (
    apa_citation,
    apa_citation_html,
    apa_edition,
    apa_name,
    direct_name,
    initials,
    parse_person_name,
)
from serambi.catalog.marc.types import ContributorData, RecordData

from .factories import RecordContributorFactory, RecordFactory


def book(*contributors: ContributorData, **fields) -> RecordData:
    values = {"title": "Bumi manusia", "year": 1980, "publisher": "Hasta Mitra"} | fields
    return RecordData(contributors=list(contributors), **values)


def person(name: str, role: str = "author", **fields) -> ContributorData:
    return ContributorData(name=name, role=role, **fields)


# ------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Toer, Pramoedya Ananta,", "Toer, P. A."),
        ("Toer, Pramoedya Ananta.", "Toer, P. A."),
        ("Tarrant, James J.", "Tarrant, J. J."),
        ("Tarrant, James J. (James Joseph)", "Tarrant, J. J."),
        ("Sartre, Jean-Paul,", "Sartre, J.-P."),
        ("Beethoven, Ludwig van", "Beethoven, L. van"),
        ("King, Martin Luther, Jr.", "King, M. L., Jr."),
        ("King, Martin Luther, jr", "King, M. L., Jr."),
        ("Pramoedya Ananta Toer", "Pramoedya Ananta Toer"),
        ("Soekarno,", "Soekarno"),
        ("Hamka,", "Hamka"),
    ],
)
def test_a_person_is_cited_by_surname_and_initials(heading, expected):
    assert apa_name(heading) == expected


def test_organisations_and_meetings_keep_their_full_name():
    heading = "Indonesia. Menteri Negara Riset dan Teknologi,"
    assert apa_name(heading, kind="organization") == "Indonesia. Menteri Negara Riset dan Teknologi"
    assert apa_name("Kongres Bahasa Indonesia", kind="meeting") == "Kongres Bahasa Indonesia"


def test_initials_of_forenames_written_with_dots_and_hyphens():
    assert initials("A.S.") == "A. S."
    assert initials("Jean-Paul Charles") == "J.-P. C."
    assert initials("") == ""


def test_names_in_reading_order():
    assert direct_name("Toer, Pramoedya Ananta,") == "Pramoedya Ananta Toer"
    assert direct_name("King, Martin Luther, Jr.") == "Martin Luther King, Jr."
    assert direct_name("Soekarno") == "Soekarno"
    assert direct_name("Badan Pusat Statistik.", kind="organization") == "Badan Pusat Statistik"
    assert parse_person_name("Hirata, Andrea,").given == "Andrea"


# ------------------------------------------------------------------------- references


def test_a_book_by_one_author():
    record = book(person("Toer, Pramoedya Ananta,", is_main=True))
    assert apa_citation(record) == "Toer, P. A. (1980). Bumi manusia. Hasta Mitra."


def test_two_authors_are_joined_with_a_comma_and_an_ampersand():
    record = book(person("Maga, Djowa"), person("Klau, Maria H."))
    assert apa_citation(record).startswith("Maga, D., & Klau, M. H. (1980).")


def test_three_authors_are_listed_with_an_ampersand_before_the_last():
    record = book(person("Satu, Ani"), person("Dua, Budi"), person("Tiga, Citra"))
    assert apa_citation(record).startswith("Satu, A., Dua, B., & Tiga, C. (1980).")


def test_twenty_authors_are_all_listed():
    authors = [person(f"Penulis{number}, Ani") for number in range(1, 21)]
    citation = apa_citation(book(*authors))
    assert citation.startswith("Penulis1, A., Penulis2, A.,")
    assert "Penulis19, A., & Penulis20, A. (1980)." in citation


def test_from_twenty_one_authors_the_list_is_shortened_to_nineteen_and_the_last():
    authors = [person(f"Penulis{number}, Ani") for number in range(1, 26)]
    citation = apa_citation(book(*authors))
    assert "Penulis19, A., . . . Penulis25, A. (1980)." in citation
    assert "Penulis20" not in citation
    assert "&" not in citation


def test_a_name_without_a_comma_is_kept_as_it_is():
    record = book(person("Pramoedya Ananta Toer"))
    assert apa_citation(record) == "Pramoedya Ananta Toer. (1980). Bumi manusia. Hasta Mitra."


def test_an_organisation_as_author_and_publisher_is_named_once():
    record = book(
        ContributorData(name="Badan Pusat Statistik.", kind="organization", is_main=True),
        title="Statistik Indonesia 2020",
        year=2020,
        publisher="Badan Pusat Statistik",
    )
    assert apa_citation(record) == "Badan Pusat Statistik. (2020). Statistik Indonesia 2020."


def test_an_edited_book_puts_the_editors_first():
    one = book(person("Lubis, Mochtar,", role="editor"), title="Bunga rampai")
    assert apa_citation(one) == "Lubis, M. (Ed.). (1980). Bunga rampai. Hasta Mitra."
    two = book(
        person("Lubis, Mochtar", role="editor"),
        person("Rosidi, Ajip", role="editor"),
        title="Bunga rampai",
    )
    assert apa_citation(two) == "Lubis, M., & Rosidi, A. (Eds.). (1980). Bunga rampai. Hasta Mitra."


def test_editors_and_translators_of_an_authored_book_follow_the_title():
    record = book(
        person("Piaget, Jean", is_main=True),
        person("Weaver, Helen", role="translator"),
        person("Lubis, Mochtar", role="editor"),
        title="Psikologi anak",
        edition="2nd ed.",
    )
    assert apa_citation(record) == (
        "Piaget, J. (1980). Psikologi anak (M. Lubis, Ed.; H. Weaver, Trans.; 2nd ed.). "
        "Hasta Mitra."
    )


def test_no_year_is_n_d_and_the_edition_goes_in_brackets():
    record = book(person("Toer, Pramoedya Ananta"), year=None, edition="Cet. 5")
    assert apa_citation(record) == "Toer, P. A. (n.d.). Bumi manusia (Cet. 5). Hasta Mitra."


def test_a_title_without_author_comes_first():
    record = book(title="Kamus besar bahasa Indonesia", edition="4 ed.", publisher="Gramedia")
    assert apa_citation(record) == "Kamus besar bahasa Indonesia (4th ed.). (1980). Gramedia."


def test_subtitle_question_mark_and_casing_are_kept_as_catalogued():
    record = book(person("Hirata, Andrea"), title="Laskar pelangi", subtitle="sebuah novel")
    assert "Laskar pelangi: sebuah novel. Hasta Mitra." in apa_citation(record)
    asking = book(person("Hirata, Andrea"), title="Siapa membunuh Putri?", publisher="")
    assert apa_citation(asking) == "Hirata, A. (1980). Siapa membunuh Putri?"


@pytest.mark.parametrize(
    ("edition", "expected"),
    [
        ("2nd ed", "2nd ed."),
        ("2nd ed.", "2nd ed."),
        ("3 edition", "3rd ed."),
        ("11 ed.", "11th ed."),
        ("Cet. 1.", "Cet. 1"),
        ("Edisi revisi.", "Edisi revisi"),
        ("Ed. rev.", "Ed. rev."),
        ("(Cet. ke-2) /", "Cet. ke-2"),
    ],
)
def test_editions(edition, expected):
    assert apa_edition(edition) == expected


def test_the_html_variant_sets_the_title_in_italics_and_escapes_everything():
    record = book(person("Toer, Pramoedya Ananta"), title="<Bumi> & manusia", edition="2nd ed.")
    html = apa_citation_html(record)
    assert html == "Toer, P. A. (1980). <i>&lt;Bumi&gt; &amp; manusia</i> (2nd ed.). Hasta Mitra."


@pytest.mark.django_db
def test_a_catalogue_record_is_cited_from_its_contributors():
    record = RecordFactory(title="Bumi manusia", year=1980, publisher="Hasta Mitra")
    RecordContributorFactory(record=record, contributor__name="Toer, Pramoedya Ananta,")
    assert apa_citation(record) == "Toer, P. A. (1980). Bumi manusia. Hasta Mitra."
