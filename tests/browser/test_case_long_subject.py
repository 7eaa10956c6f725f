"""A long subject without a space (a pasted URL, a stack frame) wraps on every case page at phone width
(issue 15): nothing sticks out past the screen's right edge."""

from cases import services
from tests.browser.conftest import log_in, screenshot
from tests.cases.conftest import open_case

SUBJECT = "Bounces_from_" + "x" * 180 + "_end"

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('h1, h2, p, td, li, dd')]
    .filter(el => el.textContent.includes('Bounces_from_'))
    .map(el => Math.ceil(el.getBoundingClientRect().right))
    .filter(right => right > width);
}"""


def test_a_long_subject_wraps_on_every_case_page_at_phone_width(phone_page, world):
    case = open_case(world, subject=SUBJECT)
    services.case_reply(case=case, actor=world.sam, body="Looking into it.")
    log_in(phone_page, world.alice.email, world.password)

    for name, path in [
        ("list", "/a/acme/cases/?status=all"),
        ("detail", case.get_absolute_url()),
        ("sla-report", "/a/acme/cases/sla-report/"),
    ]:
        phone_page.goto(path)
        shown = phone_page.locator("body").inner_text()
        assert "Bounces_from_" in shown, name
        assert phone_page.evaluate(OVERFLOW) == [], name  # before: the subject ran off the screen
        screenshot(phone_page, f"cases-long-subject-{name}-phone")
