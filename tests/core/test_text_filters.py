"""`{% load text %}`: templates say dates through core.text, in the zone the page is shown in."""

import zoneinfo
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

DENVER = zoneinfo.ZoneInfo("America/Denver")
MOMENT = datetime(2026, 9, 10, 3, 59, tzinfo=UTC)


def render(source: str, **context) -> str:
    return Template("{% load text %}" + source).render(Context(context))


def test_each_filter_says_its_idea_the_way_core_text_does():
    with timezone.override(DENVER):
        assert render("{{ m|moment_with_weekday }}", m=MOMENT) == (
            "Wednesday, September 9, 2026, 9:59 PM MDT"
        )
        assert render("{{ m|moment }}", m=MOMENT) == "September 9, 2026, 9:59 PM MDT"
        assert render("{{ m|day }}|{{ m|day_in_year }}", m=MOMENT) == (
            "September 9, 2026|September 9"
        )
        assert render("{{ m|clock }} to {{ m|time }}", m=MOMENT) == "9:59 PM to 9:59 PM MDT"
    assert render("{{ d|day_with_weekday }}", d=date(2026, 9, 9)) == "Wednesday, September 9, 2026"
    assert render("{{ d|month }}, {{ d|month_short }}", d=date(2026, 9, 1)) == (
        "September 2026, Sep 2026"
    )
    assert render("{{ n|duration }}; {{ h|hours }}", n=90, h=Decimal("1.50")) == (
        "1 hour 30 minutes; 1.5 hours"
    )


def test_a_moment_is_shown_in_the_active_zone_or_a_timezone_block():
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert render("{{ m|moment }}", m=MOMENT) == "September 10, 2026, 12:59 PM JST"
        source = '{% load tz %}{% timezone "America/Denver" %}{{ m|day }}{% endtimezone %}'
        assert render(source, m=MOMENT) == "September 9, 2026"


def test_nothing_shows_nothing_so_a_default_can_follow():
    assert render('{{ m|moment|default:"None yet" }}', m=None) == "None yet"
    assert render('{{ m|day|default:"-" }}', m="") == "-"


def test_no_template_spells_a_date_by_hand():
    templates = Path(settings.BASE_DIR) / "templates"
    by_hand = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html")) + sorted(templates.rglob("*.txt"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "|date:" in line
    ]
    assert by_hand == []
