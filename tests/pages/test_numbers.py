"""One number format per table column (reporter/pages/numbers.py): the issue-14 examples."""

from __future__ import annotations

from reporter.pages.numbers import NumberFormat, decimals_for, number_format


def test_a_column_of_ragged_decimals_gets_one_number_of_decimals():
    fmt = number_format([0.382, 0.3655, 0.04893])
    written = [fmt(v) for v in (0.382, 0.3655, 0.04893)]
    assert written == ["0.3820", "0.3655", "0.0489"]
    assert len({w.split(".")[1].__len__() for w in written}) == 1


def test_counts_have_thousands_separators_and_no_decimals():
    fmt = number_format([2760, 4146], "integer")
    assert [fmt(v) for v in (2760, 4146, 12)] == ["2,760", "4,146", "12"]
    assert number_format([2760.0, 4146.0])(4146.0) == "4,146"  # whole numbers: a count


def test_rates_labelled_percent_are_percentages():
    fmt = number_format([0.001, 0.000888], "percent")
    assert fmt(0.001) == "0.100%" and fmt(0.000888) == "0.089%"  # one column: 3 decimals


def test_small_values_are_never_scientific():
    fmt = number_format([6.9e-05, 2e-05])
    assert "e" not in fmt(6.9e-05) and fmt(6.9e-05) == "0.00007"


def test_missing_and_non_finite_values():
    fmt = NumberFormat("decimal", 3)
    assert (fmt(None), fmt(float("nan")), fmt(float("inf"))) == ("—", "NaN", "∞")
    assert decimals_for([]) == 0
