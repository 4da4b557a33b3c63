"""Bad and hostile input (issue 8).

Bad input: a run that cannot be read is one warning naming the run, the file and the reason;
every other run is still built; `--strict` fails listing them all; no traceback. Values that can
be shown as they are (NaN, huge numbers, booleans, mappings) are kept without a warning.

Hostile input: nothing a run wrote executes, is evaluated as a template, changes a page's
structure, is unpickled or extracted, or reaches outside its run folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import pickle
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from reporter.cli import cli
from reporter.errors import RunReadError
from reporter.model import Run
from reporter.readers import _history, _parse, load_readers
from reporter.readers.discover import Refused, discover_runs
from reporter.readers.native import NativeReader
from reporter.text import markdown_text as md
from reporter.text import size_text

from . import searchindex
from .conftest import DATA, MKDOCS_YML, make_project, write_run

GOOD = {"pr_auc": 0.5, "roc_auc": 0.8}


def new_project(tmp_path: Path) -> tuple[Path, Path]:
    """An MkDocs project with an empty `runs/` (runs are written in place: symbolic links
    must stay links, which copying would not keep)."""
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Test reports\n\n<!-- reporter:home -->\n")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "runs").mkdir()
    return tmp_path / "mkdocs.yml", tmp_path / "runs"


def build(config: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["build", "--config", str(config), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("WARNING")]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def artifact_names(page: Any) -> list[str]:
    rows = [tr for tr in page.select("article tr, tr") if tr.select_one("code.reporter-hash")]
    return list(dict.fromkeys(tr.select_one("td code").get_text() for tr in rows))


def run_page(site: Path, run_id: str) -> Path:
    return site / "runs" / run_id / "index.html"


# ---------------------------------------------------------------------------------------------
# Bad input: one warning per broken run, naming the run, the file (and line) and the reason
# ---------------------------------------------------------------------------------------------


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for level in reversed(range(depth)):
        value = {f"k{level}": value}
    return value


_LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)

# run id -> (files, where, reason): the warning reads "run '<id>' (<where>): <reason>"
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "bad/truncated": (
        {"metrics.json": '{"pr_auc": 0.9, "roc_a'},
        "metrics.json, line 1",
        "invalid JSON: Unterminated string starting at",
    ),
    "bad/half-written": (
        {"run.yaml": {"name": "still training"}, "metrics.json": '{\n  "pr_auc": 0.9,\n'},
        "metrics.json, line 3",
        "invalid JSON: Expecting property name enclosed in double quotes",
    ),
    "bad/empty-metrics": ({"metrics.json": ""}, "metrics.json", "the file is empty"),
    "bad/metrics-list": (
        {"metrics.json": "[0.9, 0.8]"},
        "metrics.json",
        "expected a mapping of names to values, got a list",
    ),
    "bad/config-list": (
        {"metrics.json": GOOD, "config.yaml": "- lr\n- 0.1\n"},
        "config.yaml",
        "expected a mapping of names to values, got a list",
    ),
    "bad/config-number": (
        {"metrics.json": GOOD, "config.json": "3"},
        "config.json",
        "expected a mapping of names to values, got a number",
    ),
    "bad/run-types": (
        {"metrics.json": GOOD, "run.yaml": {"name": ["a"], "baseline": "yes", "tags": {"a": 1}}},
        "run.yaml",
        "'name' must be text or a number, got a list; 'baseline' must be true or false, got "
        "text; 'tags' must be a list of words, got a mapping",
    ),
    "bad/run-created": (
        {"metrics.json": GOOD, "run.yaml": {"created": "last tuesday"}},
        "run.yaml",
        "'created' must be a date and time such as 2026-10-05T14:00:00Z (or epoch seconds), "
        "got text 'last tuesday'",
    ),
    "bad/latin1-metrics": (
        {"metrics.json": b'{"name": "caf\xe9"}'},
        "metrics.json, line 1",
        "not UTF-8 text (byte 0xe9 at offset 13)",
    ),
    "bad/latin1-card": (
        {"metrics.json": GOOD, "card.md": b"# Model\n\nCaf\xe9\n"},
        "card.md, line 3",
        "not UTF-8 text (byte 0xe9 at offset 12)",
    ),
    "bad/latin1-history": (
        {"metrics.json": GOOD, "history.csv": b"step,loss\n1,0.5\n2,caf\xe9\n"},
        "history.csv, line 3",
        "not UTF-8 text (byte 0xe9 at offset 21)",
    ),
    "bad/empty-history": (
        {"metrics.json": GOOD, "history.csv": ""},
        "history.csv",
        "the file is empty (still being written?)",
    ),
    "bad/history-rows": (
        {"metrics.json": GOOD, "history.jsonl": '{"step": 1, "loss": 0.5}\n[1, 2]\n'},
        "history.jsonl, line 2",
        "expected an object per line, got a list",
    ),
    "bad/deep-config": (
        {"metrics.json": GOOD, "config.json": json.dumps(_nested(100))},
        "config.json",
        "nested more than 64 levels deep; not read",
    ),
    "bad/yaml-bomb": (
        {"metrics.json": GOOD, "config.yaml": _LAUGHS},
        "config.yaml",
        "holds 490,329,064 values (a YAML alias counts once per use), more than the 200,000 a "
        "YAML file may hold; not read",
    ),
    "bad/huge-integer": (
        {"metrics.json": '{"n": 1' + "0" * 5000 + "}"},
        "metrics.json",
        "invalid JSON: Exceeds the limit (4300 digits)",
    ),
}


# Runs with nothing readable are skipped; the others are built, each broken part named.
SKIPPED = ("bad/truncated", "bad/empty-metrics", "bad/metrics-list", "bad/latin1-metrics",
           "bad/huge-integer")  # fmt: skip


def _bad_project(tmp_path: Path) -> tuple[Path, Path]:
    config, runs = new_project(tmp_path)
    write_run(runs, "good/one", {"metrics.json": GOOD})
    write_run(runs, "good/two", {"metrics.json": {"pr_auc": 0.7}, "history.csv": "step,a\n1,2\n"})
    for run_id, (files, _, _) in BAD.items():
        write_run(runs, run_id, files)
    return config, runs


def test_every_broken_run_is_one_warning_naming_run_file_and_reason(tmp_path):
    config, _ = _bad_project(tmp_path)
    result = build(config)
    assert result.exit_code == 0, result.output
    lines = warnings(result)
    for run_id, (_, where, reason) in BAD.items():
        mine = [line for line in lines if f"Cannot read run '{run_id}' " in line]
        assert len(mine) == 1, (run_id, mine)
        assert f"({run_id}/{where}): " in mine[0], mine[0]
        assert reason in mine[0], mine[0]
        page = run_page(tmp_path / "site", run_id)
        if run_id in SKIPPED:
            assert mine[0].endswith("Skipped; use --strict to fail instead.")
            assert not page.exists()
        else:  # the run is built, and its page names the part that could not be read
            assert "Skipped" not in mine[0]
            problems = soup(page).select_one(".admonition.warning").get_text(" ")
            assert "Problems reading this run" in problems and reason in problems
    assert len(lines) == len(BAD)  # nothing else warns
    for run_id in ("good/one", "good/two"):
        assert run_page(tmp_path / "site", run_id).is_file()
    built = 2 + len(BAD) - len(SKIPPED)
    assert f"Built {built} runs, skipped {len(SKIPPED)} (" in result.stdout


def test_strict_fails_listing_every_broken_run_and_keeps_the_site(tmp_path):
    config, _ = _bad_project(tmp_path)
    build(config)
    before = (tmp_path / "site" / "index.html").read_bytes()
    result = build(config, "--strict")
    assert result.exit_code == 1
    for run_id in BAD:
        assert f"Cannot read run '{run_id}' " in result.stderr
    assert f"Aborted with {len(BAD)} warnings in strict mode" in result.stderr
    assert "left untouched" in result.stderr
    assert (tmp_path / "site" / "index.html").read_bytes() == before


def test_history_size_is_limited_and_the_limit_configurable(tmp_path, monkeypatch):
    """A history over the limit is not loaded at all: its size is checked before reading."""
    monkeypatch.delenv(_history.LIMIT_ENV, raising=False)
    assert _history.max_bytes() == 100 << 20
    config, runs = new_project(tmp_path)
    huge = write_run(runs, "huge", {"metrics.json": GOOD})
    with (huge / "history.csv").open("wb") as fh:
        fh.truncate(200 << 20)  # 200 MB, sparse: instant to make, never read
    rows = "".join(f"{i},{1 / (i + 1):.6f}\n" for i in range(400))
    write_run(runs, "big", {"metrics.json": GOOD, "history.csv": "step,loss\n" + rows})
    write_run(runs, "small", {"metrics.json": GOOD, "history.csv": "step,loss\n1,0.5\n"})
    limit_hint = "not read (set REPORTER_HISTORY_MAX_MB to raise the limit, or log fewer steps)"

    size = (runs / "big" / "history.csv").stat().st_size
    monkeypatch.setenv(_history.LIMIT_ENV, "0.001")  # 1,048 bytes
    lines = warnings(build(config))
    assert len(lines) == 2
    assert (
        f"Cannot read run 'big' (big/history.csv): the history is {size_text(size)}, over the "
        f"{size_text(1048)} limit; {limit_hint}"
    ) in lines[0]
    site = tmp_path / "site"
    big = soup(run_page(site, "big"))  # the run is built without its history, which is named
    assert limit_hint in big.select_one(".admonition.warning").get_text(" ")
    assert not big.select("#training-history") and run_page(site, "small").is_file()

    monkeypatch.delenv(_history.LIMIT_ENV)  # back to 100 MB: only the 200 MB file is refused
    (line,) = warnings(build(config))
    assert (
        "Cannot read run 'huge' (huge/history.csv): the history is 200.0 MB, over the 100.0 MB "
        f"limit; {limit_hint}"
    ) in line
    assert soup(run_page(site, "big")).select("#training-history")
    assert not soup(run_page(site, "huge")).select("#training-history")


def test_reads_are_bounded_even_if_a_file_grows_after_its_size_was_checked(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("step,loss\n" + "1,0.5\n" * 1000)
    with pytest.raises(RunReadError, match="larger than 100 B; not read"):
        _parse.read_bytes(path, "r/history.csv", limit=100)
    assert _parse.read_bytes(path, "r/history.csv", limit=10_000).startswith(b"step,loss")


def test_a_jsonl_history_with_sparse_keys_stays_small(tmp_path):
    """Rows logging different keys: each series holds only the steps that logged it."""
    lines = [json.dumps({"step": i, f"m{i % 3}": i / 10}) for i in range(30)]
    lines.append(json.dumps({"step": 30, "m0": "0.5", "flag": True}))  # text numbers count
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")
    series = {s.name: s for s in _history.read_history(path, "history.jsonl")}
    assert sorted(series) == ["m0", "m1", "m2"]
    assert series["m1"].x.tolist() == list(range(1, 30, 3))
    assert series["m0"].x.tolist()[-1] == 30 and series["m0"].y.tolist()[-1] == 0.5


def test_values_that_can_be_shown_are_kept_without_a_warning(tmp_path):
    config, runs = new_project(tmp_path)
    metrics = (
        '{"nan": NaN, "inf": Infinity, "neg_inf": -Infinity, "neg_zero": -0.0, "huge": 1e308,'
        ' "tiny": 5e-324, "wide": 123456789012345678901234567890, "beyond": 1e999,'
        ' "as_text": "0.93", "exp_text": " -1.5e-3 ", "na": "n/a", "zip": "007",'
        ' "flag": true, "matrix": {"tn": 1, "fp": 2}, "classes": ["a", "b"], "nothing": null,'
        ' "slices": {"s=a": {"auc": "0.7", "n": 10, "note": "x"}, "s=b": [1, 2], "s=c": 3}}'
    )
    write_run(runs, "kept/numbers", {"metrics.json": metrics})
    write_run(runs, "kept/deep", {"metrics.json": GOOD, "config.yaml": _nested(10)})
    write_run(
        runs,
        "kept/empty-files",
        {"metrics.json": "{}", "config.yaml": "", "run.yaml": "", "card.md": ""},
    )
    bom = b"\xef\xbb\xbf"
    write_run(
        runs,
        "kept/bom",
        {
            "metrics.json": bom + b'{"pr_auc": 0.4}',
            "run.yaml": bom + b"name: With BOM\n",
            "config.yaml": bom + b"lr: 0.1\n",
            "card.md": bom + "## Intended use\n\nÜbung macht den Meister.\n".encode(),
            "history.csv": bom + b"step,loss\n1,0.5\n2,0.4\n",
        },
    )
    (runs / "empty" / "nested").mkdir(parents=True)  # empty folders are not runs
    result = build(config)
    assert result.exit_code == 0 and warnings(result) == [], result.stderr
    run = NativeReader().read(runs / "kept/numbers", run_id="kept/numbers", root=runs)
    assert math.isnan(run.metrics["nan"]) and run.metrics["inf"] == math.inf
    assert run.metrics["neg_inf"] == -math.inf and math.copysign(1, run.metrics["neg_zero"]) < 0
    assert run.metrics["wide"] == 1.2345678901234568e29 and run.metrics["beyond"] == math.inf
    assert run.metrics["tiny"] == 5e-324 and run.metrics["huge"] == 1e308
    assert run.metrics["as_text"] == 0.93 and run.metrics["exp_text"] == -0.0015
    assert run.info["na"] == "n/a" and run.info["zip"] == "007" and run.info["flag"] is True
    assert run.info["matrix"] == {"tn": 1, "fp": 2} and run.info["nothing"] is None
    assert run.slices == {"s=a": {"auc": 0.7, "n": 10.0}}

    site = tmp_path / "site"
    page = soup(run_page(site, "kept/numbers"))
    shown = {
        tr.select("td")[0].get_text(): tr.select("td")[1].get_text()
        for tr in page.select("article table tr")
        if len(tr.select("td")) == 2
    }
    assert shown["nan"] == "NaN" and shown["inf"] == "∞" and shown["neg_inf"] == "-∞"
    # a number in its column's format (fixed decimals: 0.9300), from the text "0.93"
    assert float(shown["as_text"]) == 0.93 and shown["flag"] == "true" and shown["na"] == "n/a"
    board = soup(site / "leaderboard" / "index.html").select_one(".reporter-leaderboard")
    columns = [c["key"] for c in json.loads(board["data-columns"])]
    row = next(r for r in json.loads(board["data-rows"]) if r["id"] == "kept/numbers")
    values = dict(zip(columns, row["metrics"], strict=True))
    assert values["nan"] is None and values["inf"] is None  # never ranked
    assert values["as_text"] == 0.93 and values["wide"] == pytest.approx(1.2345678e29, rel=1e-4)
    deep = soup(run_page(site, "kept/deep")).select_one("article").get_text()
    assert "k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.leaf" in deep
    assert soup(run_page(site, "kept/bom")).select_one("h1").get_text().startswith("With BOM")
    assert not (site / "runs" / "empty").exists()


def test_a_run_being_written_is_shown_then_picked_up(tmp_path):
    """Half-written metrics: a warning, and the run's page with what could be read (its
    name). Completed: the next build has its metrics. A run whose marker file does not exist
    yet is not a run; once it appears, the run is built."""
    config, runs = new_project(tmp_path)
    write_run(runs, "done", {"metrics.json": GOOD})
    live = write_run(runs, "live", {"run.yaml": {"name": "Live"}, "metrics.json": '{"pr_a'})
    later = write_run(runs, "later", {"history.csv": "step,loss\n1,0.9\n2,0.7\n"})
    first = build(config)
    assert [w for w in warnings(first) if "'live'" in w] == [
        "WARNING  -  reporter: Cannot read run 'live' (live/metrics.json, line 1): invalid "
        "JSON: Unterminated string starting at."
    ]
    assert len(warnings(first)) == 1
    site = tmp_path / "site"
    assert soup(run_page(site, "live")).select_one("h1").get_text().startswith("Live")
    assert not run_page(site, "later").exists()
    (live / "metrics.json").write_text('{"pr_auc": 0.6}')
    (later / "metrics.json").write_text('{"pr_auc": 0.7}')
    second = build(config)
    assert warnings(second) == [] and "Built 3 runs" in second.stdout
    assert soup(run_page(site, "live")).select_one("h1").get_text().startswith("Live")
    assert soup(run_page(site, "later")).select(".reporter-chart")  # its history is read too


def test_files_vanishing_while_a_run_is_listed_are_left_out(tmp_path, monkeypatch):
    folder = write_run(tmp_path, "r", {"metrics.json": GOOD, "a.bin": b"a", "b.bin": b"b"})
    real = _parse.sha256_of

    def vanish(path: Path, rel: str = "") -> str:
        if path.name == "a.bin":
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real(path)

    monkeypatch.setattr(_parse, "sha256_of", vanish)
    artifacts, unlisted = _parse.list_artifacts(folder, {"metrics.json"})
    assert [a.name for a in artifacts] == ["b.bin"] and unlisted == []


def test_odd_but_valid_timestamps_do_not_crash(tmp_path):
    assert _parse.parse_time(1e300) is None and _parse.parse_time(-1e20) is None
    assert _parse.parse_time("9999-12-31T23:59:59Z").year == 9999


class _FakeStore:
    """A third-party reader whose store claims a run id a native run folder also has."""

    name = "fake-store"
    priority = 50

    def matches(self, path: Path) -> bool:
        return False

    def matches_file(self, file: Path) -> bool:
        return file.name == "runs.fake"

    def list_runs(self, file: Path, *, root: Path) -> list[tuple[str, Path]]:
        return [(line, file) for line in file.read_text().split()]

    def read(self, handle: Path, *, run_id: str, root: Path) -> Run:
        return Run(
            id=run_id,
            name=f"{run_id} from the store",
            experiment="dup",
            reader=self.name,
            path=str(handle),
            metrics={"pr_auc": 0.9},
        )


def test_duplicate_run_ids_keep_the_higher_priority_reader_and_warn(tmp_path, monkeypatch):
    config, runs = new_project(tmp_path)
    (runs / "runs.fake").write_text("dup/run\nstore-only\n")
    write_run(runs, "dup/run", {"metrics.json": GOOD, "run.yaml": {"name": "native copy"}})
    write_run(runs, "other", {"metrics.json": GOOD})
    readers = [_FakeStore(), *load_readers()]

    found = discover_runs(runs, readers).found
    claims = [(f.id, f.reader.name) for f in found]
    assert claims == [
        ("dup/run", "fake-store"),
        ("dup/run", "(refused)"),
        ("other", "native"),
        ("store-only", "fake-store"),
    ]
    assert isinstance(found[1].reader, Refused)

    monkeypatch.setattr("reporter.pipeline.load_readers", lambda names=None: readers)
    result = build(config)
    assert warnings(result) == [
        "WARNING  -  reporter: Cannot read run 'dup/run' (dup/run): the id is also claimed by "
        "the fake-store reader (runs.fake), which is read instead; this claim by the native "
        "reader is ignored. Rename one of them. Skipped; use --strict to fail instead."
    ]
    h1 = soup(run_page(tmp_path / "site", "dup/run")).select_one("h1").get_text()
    assert h1.startswith("dup/run from the store")
    assert build(config, "--strict").exit_code == 1


def test_symbolic_links_out_of_the_root_and_loops_are_not_followed(tmp_path):
    config, runs = new_project(tmp_path)
    outside = write_run(tmp_path, "outside/secret-run", {"metrics.json": {"secret_metric": 1}})
    write_run(runs, "real", {"metrics.json": GOOD})
    os.symlink(outside, runs / "escape")
    os.symlink(runs, runs / "loop")
    os.symlink(runs / "real", runs / "latest")  # inside the root: the run is read once
    result = build(config, "-v")
    assert result.exit_code == 0 and warnings(result) == []
    for name in ("escape", "loop", "latest"):
        assert f"'{name}' is a symbolic link; not followed" in result.stderr
    site = tmp_path / "site"
    assert sorted(p.parent.name for p in (site / "runs").rglob("index.html")) == ["real"]
    assert not any("secret_metric" in p.read_text() for p in site.rglob("*.html"))


def test_file_and_folder_names_special_in_urls_and_markdown(tmp_path):
    config, runs = new_project(tmp_path)
    names = ["a b#c?.csv", "[x](y).txt", "ü.bin", "100%.txt", "*star*_und_.md", "new\nline.txt"]
    files: dict[str, Any] = {"metrics.json": GOOD, **dict.fromkeys(names, b"x")}
    write_run(runs, "exp/plain", files)
    odd_ids = ["exp/a b#c?", "exp/[x](y)", "exp/ü 100%", "exp/'quote\""]
    for run_id in [*odd_ids, "exp/new\nline"]:
        write_run(runs, run_id, {"metrics.json": GOOD})
    result = build(config)
    assert result.exit_code == 0
    assert warnings(result) == [  # a control character cannot be part of a page's name
        "WARNING  -  reporter: The run 'exp/new\\nline' cannot keep its id (the id holds "
        "control characters); it is 'exp/new-line' instead"
    ], result.stderr
    odd_ids.append("exp/new-line")

    site = tmp_path / "site"
    page = soup(run_page(site, "exp/plain"))
    listed = artifact_names(page)
    assert [n for n in listed if n in names] == sorted(names)
    board = soup(site / "leaderboard" / "index.html").select_one(".reporter-leaderboard")
    rows = {r["id"]: r for r in json.loads(board["data-rows"])}
    assert set(odd_ids) <= set(rows)
    for run_id in odd_ids:
        url = rows[run_id]["url"]
        assert not re.search(r"[ #?\n'\"]", url), url  # quoted, so the link is one URL
        target = (site / "leaderboard" / unquote(url) / "index.html").resolve()
        assert target.is_file(), run_id
        assert soup(target).select_one("h1").get_text().startswith(run_id.split("/")[1][:3])


def test_names_that_are_not_utf8(tmp_path):
    """A run folder so named cannot name a page: one warning. A file so named is listed with
    the bytes escaped."""
    config, runs = new_project(tmp_path)
    good = write_run(runs, "good", {"metrics.json": GOOD})
    Path(os.fsdecode(os.fsencode(good) + b"/\xff.bin")).write_bytes(b"y")
    bad = Path(os.fsdecode(os.fsencode(runs) + b"/caf\xe9"))
    bad.mkdir()
    (bad / "metrics.json").write_text("{}")
    result = build(config)
    assert warnings(result) == [
        "WARNING  -  reporter: Cannot read run 'caf\\xe9' (caf\\xe9): the folder name is not "
        "UTF-8 text, so it cannot name a page; rename the folder. Skipped; use --strict to "
        "fail instead."
    ]
    page = soup(run_page(tmp_path / "site", "good"))
    assert "\\xff.bin" in artifact_names(page)


def test_a_missing_or_empty_runs_root(tmp_path):
    config, runs = new_project(tmp_path)
    missing = build(config, "--runs", str(tmp_path / "nope"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith(f"Error: The runs root '{tmp_path / 'nope'}' does not exist")
    (tmp_path / "a-file").write_text("")
    not_a_store = build(config, "--runs", str(tmp_path / "a-file"))
    assert not_a_store.exit_code == 1
    assert "is a file no reader reads as a store of runs" in not_a_store.stderr
    empty = build(config)  # a folder holding no run: what was looked for, by which reader
    assert empty.exit_code == 1
    (line,) = empty.stderr.strip().splitlines()
    assert line.startswith(f"Error: No runs found in '{runs}'")
    assert "native: a folder with metrics.json" in line and "mlflow-sqlite: " in line
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------------------------------------
# Hostile input: the tests/data/hostile fixture runs
# ---------------------------------------------------------------------------------------------

HOSTILE = DATA / "hostile"
PAYLOAD_NAME = (
    '<script>alert("html")</script><img src=x onerror=alert("img")> {{ 7*7 }} '
    '{% raw %}{{ 7*7 }}{% endraw %} [click](javascript:alert("md")) **bold** `code`'
)
_DANGEROUS_TAGS = ("iframe", "form", "input", "object", "embed", "svg", "style", "base", "meta")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile")
    config = make_project(project, HOSTILE)
    result = CliRunner().invoke(cli, ["build", "--config", str(config), "--strict"])
    assert result.exit_code == 0, result.output
    return project / "site"


def test_hostile_runs_kept_from_the_last_build_give_the_cold_site(tmp_path, monkeypatch):
    """Kept pages' stubs (titles, tags) are handed to MkDocs from `stubs.json`, not YAML: with
    names and tags made to break YAML, Markdown and HTML, the kept build is the cold one. Its
    files are linked by the linking process (many runs' builds do), names and all."""
    from reporter import linking
    from reporter.site.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.setattr(linking, "PROCESS_FROM", 0)
    config = make_project(tmp_path / "project", HOSTILE)
    build_site(config)
    kept = build_site(config)
    assert kept.pages_kept >= len(kept.report.study.runs) > 0
    (stubs,) = (tmp_path / "project" / ".reporter-cache").rglob("stubs.json")
    assert len(json.loads(stubs.read_text())["stubs"]) >= kept.pages_kept
    cold = build_site(config, site_dir=tmp_path / "cold").site_dir

    def files(site: Path) -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
        }

    assert files(kept.site_dir) == files(cold)


def _hostile_pages(site: Path) -> list[Path]:
    pages = [
        site / "index.html",
        site / "leaderboard" / "index.html",
        site / "experiments" / "index.html",
        *sorted((site / "experiments").glob("*/index.html")),
        *sorted((site / "runs").rglob("index.html")),
    ]
    assert len(pages) >= 7
    return pages


def _meaningful_text(node: Any) -> str:
    for code in node.select("code.reporter-hash"):
        code.decompose()
    return node.get_text(" ")


def test_nothing_a_run_wrote_becomes_markup_or_runs(hostile_site):
    for path in _hostile_pages(hostile_site):
        page = soup(path)
        where = path.relative_to(hostile_site)
        for element in page.find_all(True):
            for attribute, value in element.attrs.items():
                assert not attribute.lower().startswith("on"), (where, element)
                text = re.sub(r"\s", "", str(value)).lower()
                if attribute in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not text.startswith(("javascript:", "data:", "vbscript:")), where
        for script in page.select("script"):
            assert "alert" not in (script.string or ""), where
        article = page.select_one("article")
        for tag in _DANGEROUS_TAGS:
            assert not article.select(tag), (where, tag)
        assert len(article.select("h1")) == 1, where
        assert len(article.select("h1")[0].find_all(True)) <= 1, where  # at most the ¶ link
        assert "Injected heading" not in [h.get_text() for h in page.select("h1,h2,h3,h4")]
        assert not page.select("#injected-id"), where
        text = _meaningful_text(article)
        assert "49" not in text, where  # {{ 7*7 }} was never evaluated
        assert "{{ 7*7 }}" in text or where.parts[0] == "leaderboard", where


def test_user_text_is_shown_literally(hostile_site):
    page = soup(run_page(hostile_site, "xss/payloads"))
    article = page.select_one("article")
    assert article.select_one("h1").get_text().rstrip("¶") == PAYLOAD_NAME
    overview = {
        dt.get_text(): dt.find_next_sibling("dd") for dt in article.select(".reporter-overview dt")
    }
    assert overview["Author"].get_text().startswith("\" onmouseover=\"alert('attr')\" x='<script>")
    assert overview["Experiment"].get_text() == (
        '<b>exp</b> {{ 7*7 }} {% raw %}{{ 7*7 }}{% endraw %} javascript:alert("url")'
    )
    tags = [t.get_text() for t in overview["Tags"].select(".reporter-tag")]
    assert "{{ 7*7 }} {% raw %}{{ 7*7 }}{% endraw %}" in tags and "x&y" in tags
    cells = {
        tr.select("td")[0].get_text(): tr.select("td")[1].get_text()
        for tr in article.select("table tr")
        if len(tr.select("td")) == 2
    }
    assert cells["model.type"] == '<script>alert("html")</script><img src=x onerror=alert("img")>'
    assert cells["model.template"] == "{{ 7*7 }} {% raw %}{{ 7*7 }}{% endraw %}"
    assert cells["model.break"].startswith("line\n\n# Injected heading")
    assert float(cells["<img src=x onerror=alert('metric')>"]) == 0.5  # in its column's format
    assert float(cells["{{ 7*7 }}"]) == 0.25  # a number, not a rendered template
    files = artifact_names(article)
    for name in (
        "<img src=x onerror=alert('file')>.txt",
        "{{ 7*7 }}.txt",
        "[x](javascript:alert('file')).txt",
        "a b#c?.csv",
        "ü.bin",
    ):
        assert name in files
    assert page.select_one("title").get_text().startswith(PAYLOAD_NAME)


def test_markdown_text_stays_on_one_line():
    """A line break in a name would end the heading it is in and start Markdown of its own."""
    text = str(md("Run\n\n# Injected\r\n{: #x }\u2028[a](javascript:b)"))
    assert not any(c in text for c in "\r\n\u2028")
    assert text == "Run  \\# Injected \\{: \\#x \\} \\[a\\]\\(javascript:b\\)"


def test_a_status_cannot_add_css_classes(hostile_site):
    """The status becomes a class name (`reporter-status--failed`): whitespace in it (a tab)
    must not split off classes of its own, such as Material's `md-header`."""
    for path in (run_page(hostile_site, "xss/payloads"), hostile_site / "index.html"):
        (badge,) = soup(path).select("article .reporter-status")
        assert badge["class"][0] == "reporter-status" and len(badge["class"]) == 2
        assert " ".join(badge.get_text().split()).endswith("failed md-header md-typeset")


def test_card_and_notes_are_sanitised_markdown(hostile_site):
    article = soup(run_page(hostile_site, "xss/payloads")).select_one("article")
    card = article.select_one(".reporter-card")
    notes = article.select_one(".reporter-notes")
    for prose in (card, notes):
        assert prose.select("a")  # Markdown links survive, without a javascript: href
        assert all(not a.get("href", "").startswith("javascript") for a in prose.select("a"))
        assert not prose.select("script, iframe, svg, form, style")
    assert "Intended use" in [h.get_text() for h in card.select("h3")]
    assert 'alert("card")' not in card.get_text()  # a script's text is dropped, not shown


def test_leaderboard_and_experiment_pages_carry_text_not_markup(hostile_site):
    board = soup(hostile_site / "leaderboard" / "index.html").select_one(".reporter-leaderboard")
    rows = {r["id"]: r for r in json.loads(board["data-rows"])}
    assert rows["xss/payloads"]["name"] == PAYLOAD_NAME
    assert "<img src=x onerror=alert('metric')>" in [
        c["key"] for c in json.loads(board["data-columns"])
    ]
    raw = (hostile_site / "leaderboard" / "index.html").read_text()
    assert "<script>alert" not in raw and "<img src=x" not in raw
    experiments = soup(hostile_site / "experiments" / "index.html").select_one("article")
    names = [a.get_text() for a in experiments.select("td a")]
    assert '<b>exp</b> {{ 7*7 }} {% raw %}{{ 7*7 }}{% endraw %} javascript:alert("url")' in names
    home = soup(hostile_site / "index.html").select_one("article")
    assert PAYLOAD_NAME in [a.get_text() for a in home.select("td a")]
    headers = [th.get_text() for th in home.select("th")]
    assert not [h for h in headers if "<" in h and "onerror" not in h]


def test_search_index_holds_text_not_markup(hostile_site):
    """Material renders search results as HTML. Reporter's index holds the text as users wrote
    it (never the markup of Material's entries, never entities that would be escaped twice);
    its worker escapes every string it hands Material (tests/search: in node and Chromium)."""
    docs = searchindex.documents(hostile_site)
    strings = [s for d in docs for s in (d["title"], *d["fields"].values(), *d["tags"])]
    assert not [s for s in strings if re.search(r"&(lt|gt|amp|quot|#\d+);", s)]
    assert not [s for s in strings if re.search(r"</?(p|code|td|li|h\d)>", s)]
    titles = [d["title"] for d in docs if d["location"] == "runs/xss/payloads/"]
    assert titles and titles[0].startswith('<script>alert("html")</script>')


# ---------------------------------------------------------------------------------------------
# Hostile input: archives and pickles, paths out of the run folder
# ---------------------------------------------------------------------------------------------


class _Booby:
    """Unpickling this creates the file `path`."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_pickles_and_archives_are_never_loaded_or_extracted(tmp_path):
    trap = tmp_path / "PWNED"
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_Booby(control)))  # the payload works when unpickled
    assert control.exists()
    payload = pickle.dumps(_Booby(trap))
    archive = _tar_gz({"model.pkl": payload, "../../escaped.txt": b"out"})
    config, runs = new_project(tmp_path)
    write_run(
        runs,
        "native/pickled",
        {"metrics.json": GOOD, "model.pkl": payload, "artifacts.tar.gz": archive},
    )
    store = tmp_path / "runs" / "operatorai-model-store"
    shutil.copytree(DATA / "modelstore" / "operatorai-model-store", store)
    for found in store.rglob("artifacts.tar.gz"):
        found.write_bytes(archive)
    result = build(config)
    assert result.exit_code == 0, result.output
    assert not trap.exists()
    assert not list(tmp_path.rglob("escaped.txt"))
    page = soup(run_page(tmp_path / "site", "native/pickled")).select_one("article")
    hashes = {
        tr.select("td")[0].get_text(): tr.select("td")[2].get_text()
        for tr in page.select("tbody tr")
        if len(tr.select("td")) == 3
    }
    assert hashes["model.pkl"] == hashlib.sha256(payload).hexdigest()
    assert hashes["artifacts.tar.gz"] == hashlib.sha256(archive).hexdigest()


def test_links_out_of_the_run_folder_are_not_read_or_published(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd.md").write_text("root:x:0:0:SECRET-CARD\n")
    (secret / "history.csv").write_text("step,SECRET_HISTORY\n1,2\n")
    (secret / "metrics.json").write_text('{"SECRET_METRIC": 1}')
    (secret / "more").mkdir()
    (secret / "more" / "SECRET_FILE.txt").write_text("x")
    config, runs = new_project(tmp_path)
    for name, target in [
        ("card", "passwd.md"),
        ("history", "history.csv"),
        ("metrics", "metrics.json"),
    ]:
        folder = write_run(runs, f"out/{name}", {"run.yaml": {"name": name}})
        if name != "metrics":
            (folder / "metrics.json").write_text(json.dumps(GOOD))
        os.symlink(secret / target, folder / Path(target).name.replace("passwd", "card"))
    inside = write_run(
        runs,
        "ok/references",
        {
            "metrics.json": {**GOOD, "history": "../../secret/history.csv"},
            "run.yaml": {"card": "../../../secret/passwd.md", "notes": "![x](../../secret/a.png)"},
            "configs/v1.yaml": {"lr": 0.1},
        },
    )
    os.symlink("configs/v1.yaml", inside / "config.yaml")  # a link inside the run is fine
    os.symlink(secret / "more", inside / "more")
    result = build(config)
    lines = warnings(result)
    assert len(lines) == 3
    for name, file in [
        ("card", "card.md"),
        ("history", "history.csv"),
        ("metrics", "metrics.json"),
    ]:
        assert (
            f"Cannot read run 'out/{name}' (out/{name}/{file}): a symbolic link to a file "
            "outside the run folder; not read (copy the file into the run instead)"
        ) in "\n".join(lines)
    site = tmp_path / "site"
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET" not in data, path
    page = soup(run_page(site, "ok/references")).select_one("article")
    params = [[td.get_text() for td in tr.select("td")] for tr in page.select("tbody tr")]
    assert ["lr", "0.1"] in params and ["more", "0 B", "(symbolic link, not followed)"] in params
