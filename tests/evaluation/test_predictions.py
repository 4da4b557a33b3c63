"""Reading predictions files: every problem is a `PredictionsError` naming the file."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reporter.config import Settings
from reporter.errors import PredictionsError
from reporter.evaluation.predictions import (
    MISSING_SLICE_LABEL,
    PredictionColumns,
    Predictions,
    read_predictions,
)

REL = "fraud/lgbm-07/predictions.csv"
COLUMNS = PredictionColumns.from_settings(Settings.defaults(Path("runs")).evaluation)


def write_csv(tmp_path: Path, text: str, name: str = "predictions.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def read(path: Path, columns: PredictionColumns = COLUMNS, **kw: object) -> Predictions:
    return read_predictions(path, columns, run_id="fraud/lgbm-07", rel_path=REL, **kw)  # type: ignore[arg-type]


def frame(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": [f"tx{i}" for i in range(n)],
            "y_true": (np.arange(n) % 10 == 0).astype(int),
            "y_score": np.round(rng.random(n), 3),
            "weight": rng.choice([1.0, 2.0], n),
            "country": rng.choice(["DE", "FR"], n),
            "channel": rng.choice(["app", "web", "pos"], n),
            "merchant": [f"m{i}" for i in range(n)],  # too many values to be a slice
            "amount": rng.random(n) * 100,  # numeric: never guessed to be a slice
            "currency": ["EUR"] * n,  # one value: nothing to compare
        }
    )


# --- reading ------------------------------------------------------------------------------------


def test_csv_reads_arrays_weights_and_auto_slices(tmp_path: Path) -> None:
    df = frame()
    path = tmp_path / "predictions.csv"
    df.to_csv(path, index=False)
    p = read(path)
    assert p.n_rows == 40 and p.y_true.dtype == bool and p.y_score.dtype == np.float64
    np.testing.assert_array_equal(p.y_true, df["y_true"].to_numpy() == 1)
    np.testing.assert_array_equal(p.y_score, df["y_score"].to_numpy())
    np.testing.assert_array_equal(p.weight, df["weight"].to_numpy())  # type: ignore[arg-type]
    assert list(p.slices) == ["country", "channel"]
    np.testing.assert_array_equal(p.slices["channel"], df["channel"].to_numpy(dtype=str))
    assert p.label_hash == hashlib.sha256(p.y_true.tobytes()).hexdigest()


def test_parquet_reads_categorical_and_bool_slices(tmp_path: Path) -> None:
    df = frame()
    df["country"] = df["country"].astype("category")
    df["is_new"] = np.arange(40) % 3 == 0
    df["y_true"] = df["y_true"].astype(bool)
    path = tmp_path / "predictions.parquet"
    df.to_parquet(path)
    p = read(path)
    assert list(p.slices) == ["country", "channel", "is_new"]
    assert set(p.slices["is_new"]) == {"True", "False"}
    np.testing.assert_array_equal(p.y_true, df["y_true"].to_numpy())


def test_csv_and_parquet_give_the_same_predictions(tmp_path: Path) -> None:
    df = frame()
    df.to_csv(tmp_path / "predictions.csv", index=False)
    df.to_parquet(tmp_path / "predictions.parquet")
    a, b = read(tmp_path / "predictions.csv"), read(tmp_path / "predictions.parquet")
    assert a.label_hash == b.label_hash
    np.testing.assert_array_equal(a.y_score, b.y_score)
    assert {k: list(v) for k, v in a.slices.items()} == {k: list(v) for k, v in b.slices.items()}


def test_no_weight_column_means_unweighted(tmp_path: Path) -> None:
    p = read(write_csv(tmp_path, "y_true,y_score\n1,0.9\n0,0.1\n"))
    assert p.weight is None and p.slices == {}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ("1,0,1", [True, False, True]),
        ("True,False,True", [True, False, True]),
        ("0,0,0", [False, False, False]),  # one class is not an error here
        ("1.0,0.0,1.0", [True, False, True]),
    ],
)
def test_default_labels(tmp_path: Path, labels: str, expected: list[bool]) -> None:
    rows = "".join(f"{label},0.5\n" for label in labels.split(","))
    p = read(write_csv(tmp_path, "y_true,y_score\n" + rows))
    assert p.y_true.tolist() == expected


def test_string_zero_one_labels_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "predictions.parquet"
    pd.DataFrame({"y_true": ["1", "0"], "y_score": [0.9, 0.2]}).to_parquet(path)
    assert read(path).y_true.tolist() == [True, False]


@pytest.mark.parametrize(
    ("labels", "positive", "expected"),
    [
        ("fraud,legit,fraud", "fraud", [True, False, True]),
        ("legit,legit,legit", "fraud", [False, False, False]),
        ("2,1,1", 2, [True, False, False]),
        ("2,1,1", "1", [False, True, True]),
        ("yes,no,no", "no", [False, True, True]),
    ],
)
def test_positive_label(tmp_path: Path, labels: str, positive: str | int, expected: list) -> None:
    rows = "".join(f"{label},0.5\n" for label in labels.split(","))
    columns = replace(COLUMNS, positive_label=positive)
    assert read(write_csv(tmp_path, "y_true,y_score\n" + rows), columns).y_true.tolist() == expected


def test_renamed_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "label,proba,w,seg\n1,0.9,2,a\n0,0.1,1,b\n")
    columns = replace(COLUMNS, y_true="label", y_score="proba", weight="w", slices=("seg",))
    p = read(path, columns)
    assert p.weight.tolist() == [2.0, 1.0]  # type: ignore[union-attr]
    assert p.slices["seg"].tolist() == ["a", "b"]


def test_explicit_slices_take_any_column_and_name_missing_values(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "y_true,y_score,segment\n1,0.9,1\n0,0.1,\n0,0.2,2\n")
    p = read(path, replace(COLUMNS, slices=("segment",)))
    assert p.slices["segment"].tolist() == ["1.0", MISSING_SLICE_LABEL, "2.0"]


def test_auto_slices_skip_named_numeric_unique_and_single_valued_columns(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    frame().to_csv(path, index=False)
    p = read(path, replace(COLUMNS, max_slice_cardinality=2))
    assert list(p.slices) == ["country"]  # channel has 3 values


# --- errors -------------------------------------------------------------------------------------


def error_of(path: Path, columns: PredictionColumns = COLUMNS, **kw: object) -> str:
    with pytest.raises(PredictionsError) as info:
        read(path, columns, **kw)
    message = str(info.value)
    assert REL in message and "fraud/lgbm-07" in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("y_true,y_score\n", "header but no rows"),
        ("label,y_score\n1,0.5\n", "missing column 'y_true' (columns found: 'label', 'y_score')"),
        ("y_true,score\n1,0.5\n", "missing column 'y_score'"),
        ("y_true,y_score\n1,0.5\n,0.2\n", "1 rows without a label (first at row 2)"),
        ("y_true,y_score\n1,0.5\n0,high\n", "non-numeric scores: 'high' at row 2"),
        (
            "y_true,y_score\n1,0.5\n0,\n1,nan\n",
            "2 rows with NaN or infinite scores (first at row 2)",
        ),
        ("y_true,y_score\n1,inf\n0,0.1\n", "1 rows with NaN or infinite scores (first at row 1)"),
        ("y_true,y_score,weight\n1,0.5,-1\n0,0.1,1\n", "1 negative or non-finite weights"),
        ("y_true,y_score,weight\n1,0.5,1\n0,0.1,\n", "1 negative or non-finite weights"),
        ("y_true,y_score,weight\n1,0.5,inf\n0,0.1,1\n", "negative or non-finite weights"),
        ("y_true,y_score,weight\n1,0.5,0\n0,0.1,0\n", "every weight in column 'weight' is zero"),
        ("y_true,y_score,weight\n1,0.5,heavy\n", "non-numeric weights: 'heavy'"),
    ],
)
def test_errors_name_the_file_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(write_csv(tmp_path, text))


def test_labels_that_are_not_binary_show_five_values(tmp_path: Path) -> None:
    rows = "".join(f"{label},0.5\n" for label in ["a", "b", "c", "d", "e", "f", "g"])
    message = error_of(write_csv(tmp_path, "y_true,y_score\n" + rows))
    assert "not binary" in message
    assert "'a', 'b', 'c', 'd', 'e' and 2 more" in message and "'f'" not in message
    assert "positive_label" in message


def test_numeric_labels_other_than_zero_one_need_a_positive_label(tmp_path: Path) -> None:
    message = error_of(write_csv(tmp_path, "y_true,y_score\n1,0.5\n2,0.1\n"))
    assert "found 1, 2" in message


def test_positive_label_with_three_labels(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "y_true,y_score\nfraud,0.5\nlegit,0.1\nunknown,0.3\n")
    message = error_of(path, replace(COLUMNS, positive_label="fraud"))
    assert "3 distinct labels, expected two: 'fraud', 'legit', 'unknown'" in message


def test_positive_label_not_among_two_labels(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "y_true,y_score\nyes,0.5\nno,0.1\n")
    message = error_of(path, replace(COLUMNS, positive_label="fraud"))
    assert "positive_label 'fraud' is not one of the labels" in message


def test_oversized_files_are_refused_before_loading(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "y_true,y_score\n" + "1,0.5\n" * 200)
    message = error_of(path, max_bytes=1000)
    assert "over the" in message and "limit" in message and "max_bytes" in message
    assert read(path, max_bytes=10_000).n_rows == 200


def test_unsupported_format(tmp_path: Path) -> None:
    assert "expected predictions.csv or predictions.parquet" in error_of(
        write_csv(tmp_path, "y_true\ty_score\n", name="predictions.tsv")
    )


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot open" in error_of(tmp_path / "predictions.csv")


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "predictions.parquet"
    path.write_bytes(b"PAR1 not really")
    assert "not a readable Parquet file" in error_of(path)


def test_parquet_without_pyarrow_says_which_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "predictions.parquet"
    pd.DataFrame({"y_true": [1], "y_score": [0.5]}).to_parquet(path)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import now raises ImportError
    assert "pip install 'reporter[parquet]'" in error_of(path)


def test_explicit_slice_column_must_exist(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "y_true,y_score\n1,0.5\n")
    message = error_of(path, replace(COLUMNS, slices=("country",)))
    assert "missing column 'country' (columns found: 'y_true', 'y_score')" in message


def test_explicit_slice_column_over_cardinality(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    frame().to_csv(path, index=False)
    message = error_of(path, replace(COLUMNS, slices=("merchant",)))
    assert "'merchant' has 40 distinct values, over max_slice_cardinality=20" in message


def test_default_rel_path_is_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(PredictionsError) as info:
        read_predictions(write_csv(tmp_path, ""), COLUMNS)
    assert info.value.path == "predictions.csv"


# --- Predictions.from_arrays --------------------------------------------------------------------


def test_from_arrays_coerces_and_checks_lengths() -> None:
    p = Predictions.from_arrays([1, 0], [1, 0], weight=[1, 2], slices={"c": [1, 2]})
    assert p.y_true.dtype == bool and p.y_score.dtype == np.float64
    assert p.weight.dtype == np.float64  # type: ignore[union-attr]
    assert p.slices["c"].tolist() == ["1", "2"] and p.n_rows == 2
    with pytest.raises(PredictionsError, match="different lengths"):
        Predictions.from_arrays([1, 0], [0.5])


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([1, 0, 1], [True, False, True]),
        (np.array([1.0, 0.0, 0.0]), [True, False, False]),
        ([True, False, False], [True, False, False]),
        (np.array([True, False, True]), [True, False, True]),
        (["true", "false", "TRUE"], [True, False, True]),
        (["1", "0", "0"], [True, False, False]),
        (np.array([[1], [0], [1]]), [True, False, True]),  # a column vector
    ],
)
def test_from_arrays_accepts_what_a_predictions_file_accepts(
    labels: object, expected: list
) -> None:
    assert Predictions.from_arrays(labels, [0.9, 0.1, 0.5]).y_true.tolist() == expected


@pytest.mark.parametrize(
    ("labels", "found"),
    [
        ([-1, 1, 1], "found -1, 1"),
        ([0.5, 1.0, 0.0], "found 0.5, 1.0, 0.0"),
        (["yes", "no", "no"], "found 'yes', 'no'"),
        ([2, 1, 1], "found 2, 1"),
        (["t", "f", "f"], "found 't', 'f'"),
    ],
)
def test_from_arrays_never_guesses_labels(labels: object, found: str) -> None:
    with pytest.raises(PredictionsError) as caught:
        Predictions.from_arrays(
            labels, [0.9, 0.1, 0.5], source="mlruns/1/abc/artifacts/eval.csv", run_id="fraud/x"
        )
    message = str(caught.value)
    assert "mlruns/1/abc/artifacts/eval.csv" in message and "fraud/x" in message
    assert "not binary" in message and found in message and "positive_label" in message


def test_from_arrays_rejects_missing_labels_scores_and_bad_weights() -> None:
    cases = [
        (([1.0, np.nan], [0.9, 0.1], None), r"1 rows without a label \(first at row 2\)"),
        (([1, 0], [np.nan, 0.1], None), "NaN or infinite scores"),
        (([1, 0], [0.9, 0.1], [1.0, -1.0]), "negative or non-finite weights"),
        (([1, 0], [0.9, 0.1], [0.0, 0.0]), "every weight"),
        (([None, 1], [0.9, 0.1], None), "without a label"),
    ]
    for (y, s, w), expected in cases:
        with pytest.raises(PredictionsError, match=expected) as caught:
            Predictions.from_arrays(y, s, weight=w)
        assert "predictions given as arrays" in str(caught.value)


def test_from_arrays_takes_a_positive_label() -> None:
    p = Predictions.from_arrays(["yes", "no", "no"], [0.9, 0.1, 0.5], positive_label="yes")
    assert p.y_true.tolist() == [True, False, False]
    with pytest.raises(PredictionsError, match="3 distinct labels"):
        Predictions.from_arrays(["a", "b", "c"], [0.9, 0.1, 0.5], positive_label="a")


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        (["true", "false", "True"], [True, False, True]),
        (["-1", "1", "1"], None),
        (["0.5", "1", "0"], None),
        (["yes", "no", "no"], None),
    ],
)
def test_csv_and_parquet_validate_labels_alike(
    tmp_path: Path, values: list[str], ok: list | None
) -> None:
    frame_ = pd.DataFrame({"y_true": values, "y_score": [0.9, 0.1, 0.5]})
    csv = tmp_path / "predictions.csv"
    frame_.to_csv(csv, index=False)
    parquet = tmp_path / "predictions.parquet"
    frame_.to_parquet(parquet)  # labels stay text in parquet; CSV parses them
    for path in (csv, parquet):
        if ok is None:
            assert "not binary" in error_of(path)
        else:
            assert read(path).y_true.tolist() == ok


SLICE_VALUES = [
    pd.Series([1.0, np.nan, 2.0]),
    pd.Series(["a", None, "b", "a"]),
    pd.Series([True, False, None]),
    pd.Series([0.1 + 0.2, 1e300, -0.0, np.nan]),
    pd.Series(["x", 2, 3.5, None], dtype=object),
    pd.Series([1, 2, 3]),
    pd.Series(pd.Categorical(["a", "b", None])),
    pd.Series([], dtype=object),
    pd.Series([np.nan, np.nan]),
    pd.Series(pd.array([1, None, 3], dtype="Int64")),
    pd.Series(["a", pd.NA, "b", " é"], dtype="string"),
    pd.Series([pd.Timestamp("2024-01-01"), pd.NaT]),
]


@pytest.mark.parametrize("series", SLICE_VALUES, ids=lambda s: str(s.dtype))
def test_slice_labels_are_each_rows_value_as_text(series: pd.Series) -> None:
    """Labels made once per distinct value equal each row's value turned into text, and the
    distinct count (missing counting as a value) is pandas' `nunique(dropna=False)`."""
    from reporter.evaluation.predictions import _factorized, _labels

    per_row = series.astype(object).where(series.notna(), MISSING_SLICE_LABEL).astype(str)
    expected = per_row.to_numpy(dtype=str)
    factorized = _factorized(series)
    got = _labels(factorized)
    assert got.tolist() == expected.tolist()
    assert got.dtype == expected.dtype
    assert factorized[2] == series.nunique(dropna=False)
