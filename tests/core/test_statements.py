"""`core.statements.KeyedStatement`: the row and related rows Django's queryset finds, from SQL
built once; nothing for a key that finds nothing, however large."""

import pytest
from django.db.models import F

from core.statements import KeyedStatement
from matching.models import Match
from tests.factories import PairFactory

pytestmark = pytest.mark.django_db

RELATED = ("cohort", "mentor__member__profile", "mentee__member", "run")


def _pairs(key):
    return Match.objects.released().select_related(*RELATED).filter(pk=key)


def _values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_it_finds_what_the_queryset_finds_with_its_related_rows(django_assert_num_queries):
    pairs = [PairFactory(), PairFactory()]
    statement = KeyedStatement(_pairs)
    for pair in [*pairs, pairs[0]]:
        expected = _pairs(pair.pk).get()
        with django_assert_num_queries(1):
            found = statement.get(pair.pk)
            related = [
                found.cohort,
                found.mentor,
                found.mentor.member,
                found.mentor.member.profile,
                found.mentee,
                found.mentee.member,
            ]
        assert isinstance(found, Match)
        assert _values(found) == _values(expected)
        assert found.reasons == expected.reasons and found.components == expected.components
        for instance, other in zip(
            related,
            [
                expected.cohort,
                expected.mentor,
                expected.mentor.member,
                expected.mentor.member.profile,
                expected.mentee,
                expected.mentee.member,
            ],
            strict=True,
        ):
            assert type(instance) is type(other)
            assert _values(instance) == _values(other)
        assert found.run is None  # a pair made by hand: the nullable join finds no run
        assert found._state.adding is False and found._state.db == "default"


@pytest.mark.parametrize("key", [0, -1, 10**6, 2**63 - 1, 2**63, -(2**63) - 1, 10**30])
def test_a_key_that_finds_nothing_gives_none(key):
    PairFactory()
    assert KeyedStatement(_pairs).get(key) is None


def test_a_pair_it_may_not_find_stays_unfound():
    pair = PairFactory()
    statement = KeyedStatement(_pairs)
    assert statement.get(pair.pk) is not None
    Match.objects.filter(pk=pair.pk).update(notified_at=None)
    assert statement.get(pair.pk) is None


def test_the_sql_is_built_once(monkeypatch):
    pairs = [PairFactory(), PairFactory()]
    built = []
    statement = KeyedStatement(lambda key: built.append(key) or _pairs(key))
    for pair in pairs:
        assert statement.get(pair.pk).pk == pair.pk
    assert len(built) == 1


@pytest.mark.parametrize(
    "queryset_for",
    [
        lambda key: Match.objects.filter(pk=key) | Match.objects.filter(run_id=key),
        lambda key: Match.objects.filter(pk=key).annotate(twice=F("pk") * 2),
    ],
    ids=["key used twice", "annotation"],
)
def test_what_it_cannot_keep_is_refused(queryset_for):
    with pytest.raises(ValueError):
        KeyedStatement(queryset_for).get(1)
