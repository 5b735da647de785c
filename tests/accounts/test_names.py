"""Sign-up asks for a person's real name, in any script, and refuses what no name holds."""

import pytest
from django.core import mail

from accounts.forms import NameForm
from accounts.models import User, name_of

pytestmark = pytest.mark.django_db


def _sign_up(client, first_name: str, last_name: str, email: str = "new@example.test"):
    return client.post(
        "/accounts/signup/",
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )


def test_the_sign_up_form_asks_for_first_and_last_name_before_the_email(client):
    html = client.get("/accounts/signup/").content.decode()
    first = html.index('name="first_name"')
    assert first < html.index('name="last_name"') < html.index('name="email"')
    assert 'autocomplete="given-name"' in html
    assert 'autocomplete="family-name"' in html


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("José", "Núñez"), ("李", "小龙"), ("Zoë-Ann", "O'Neil"), ("Nguyễn", "Thị Minh Khai")],
)
def test_sign_up_keeps_a_name_in_any_script(client, first_name, last_name):
    response = _sign_up(client, f"  {first_name} ", f"{last_name}  ")
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.first_name, user.last_name) == (first_name, last_name)
    assert user.get_full_name() == f"{first_name} {last_name}"


def test_sign_up_refuses_an_account_without_a_name_and_keeps_what_was_typed(client):
    response = _sign_up(client, "   ", "", email="typed@example.test")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("This field is required.") == 4  # the summary and beside each field
    assert 'value="typed@example.test"' in html
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Ann\x00", "Remove the control character (such as a NUL, a tab or a line break)"),
        ("Ann\tLee", "Remove the control character"),
        ("Ann\nLee", "Remove the control character"),
        ("Ann\u2028Lee", "Remove the control character"),
        ("1234", "Enter a name with at least one letter, in any alphabet."),
        ("x" * 151, "Ensure this value has at most 150 characters (it has 151)."),
    ],
    ids=["nul", "tab", "line-break", "line-separator", "no-letter", "too-long"],
)
def test_sign_up_refuses_what_no_name_holds_with_a_message_next_to_the_field(
    client, value, message
):
    response = _sign_up(client, value, "Lee")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_first_name"' in html  # the summary links to the field
    assert User.objects.count() == 0


def test_a_refused_nul_comes_back_as_a_visible_mark_with_the_rest_of_the_name(client):
    html = _sign_up(client, "Ann\x00e", "Lee").content.decode()
    assert 'name="first_name" value="Ann\ufffde"' in html
    assert "\x00" not in html


def test_a_name_is_trimmed_and_its_inner_spaces_kept_single():
    form = NameForm({"first_name": "  Mary   Ann ", "last_name": " de  la Cruz"})
    assert form.is_valid()
    assert form.cleaned_data == {"first_name": "Mary Ann", "last_name": "de la Cruz"}


def test_joiners_that_some_scripts_spell_with_are_kept():
    # Persian spells some words with a zero-width non-joiner (U+200C), a format character.
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    form = NameForm({"first_name": name, "last_name": "Karimi"})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("Ana", "Lima", "Ana Lima"),
        ("Ana", "", "Ana"),
        ("", "Lima", "Lima"),
        ("", "", "ana@example.test"),  # no name given: the address
        ("李", "小龙", "李 小龙"),
    ],
)
def test_a_person_is_called_by_their_full_name_or_else_their_address(first, last, shown):
    user = User(first_name=first, last_name=last, email="ana@example.test")
    # The lists that read names as values call the same function as str(user).
    assert str(user) == name_of(first, last, "ana@example.test") == shown
