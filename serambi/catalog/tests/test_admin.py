import pytest

from serambi.catalog.admin import ContributorForm, SubjectForm
from serambi.catalog.models import Contributor

pytestmark = pytest.mark.django_db


def test_admin_forms_fill_key_and_refuse_second_spelling():
    form = ContributorForm(
        data={"name": "Toer, Pramoedya Ananta", "dates": "1925-2006", "kind": "person"}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert Contributor.objects.get().key == "toer, pramoedya ananta | 1925-2006"
    again = ContributorForm(
        data={"name": "TOER, Pramoedya Ananta,", "dates": "1925-2006", "kind": "person"}
    )
    assert not again.is_valid()
    subject = SubjectForm(data={"heading": "Indonesia -- History", "kind": "place"})
    assert subject.is_valid(), subject.errors
    assert subject.instance.key == "indonesia -- history"
