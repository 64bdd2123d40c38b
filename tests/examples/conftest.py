"""Shows, at the end of the session, what the tests made (screenshots, report sizes)."""

import pytest

MADE = []


@pytest.fixture(scope="session")
def made():
    """Append a line here to have it printed in the summary, even under -q."""
    return MADE


def pytest_terminal_summary(terminalreporter):
    if MADE:
        terminalreporter.section("made by the examples tests")
        for line in MADE:
            terminalreporter.write_line(line)
