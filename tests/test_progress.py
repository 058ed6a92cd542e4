"""mnistlib.progress: a bar with counts and time left on a terminal, nothing in a pipe."""

from __future__ import annotations

from mnistlib.progress import progress_bar, report


def test_the_bar_shows_each_stage_with_its_counts(capsys):
    with progress_bar(enabled=True) as progress:
        report(progress, "validation digits", 500, 5000)
        report(progress, "validation digits", 1000, 5000)
        report(progress, "each kind of non-digit", 3, 7)
    shown = capsys.readouterr().err
    assert "validation digits" in shown and "1000/5000" in shown
    assert "each kind of non-digit" in shown and "3/7" in shown


def test_nothing_is_drawn_when_output_is_not_a_terminal(capsys):
    with progress_bar() as progress:  # pytest captures: not a terminal
        report(progress, "validation digits", 500, 5000)
    assert capsys.readouterr() == ("", "")


def test_report_without_a_hook_does_nothing():
    report(None, "anything", 1, 2)  # no error, nothing to call
