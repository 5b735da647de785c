"""The checkers themselves must be able to fail, or the page tests prove nothing."""

import pytest

from tests.browser import assert_accessible, html_errors


def _document(body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{body}</body></html>'


def test_the_html_checker_reports_broken_markup():
    errors = html_errors(_document("<p><div></p>"))
    assert any("No “p” element in scope" in e["message"] for e in errors)


def test_the_html_checker_accepts_a_valid_document():
    assert html_errors(_document("<p>Hi</p>")) == []


@pytest.mark.browser
def test_the_accessibility_checker_fails_on_an_image_without_alt_text(chromium_browser):
    page = chromium_browser.new_page()
    try:
        page.set_content(_document('<main><img src="data:,"></main>'))
        with pytest.raises(pytest.fail.Exception, match="image-alt"):
            assert_accessible(page)
    finally:
        page.close()
