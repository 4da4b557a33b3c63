"""Each run's data file for the ad-hoc comparison page (`compare/?runs=...`), as a browser
would run it: where the build puts it (named by the digest of the id, never by the id), what
it holds, and that its links lead to the run's page and history in the built site."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from reporter.cli import cli
from reporter.pages import urls

from ..conftest import DATA

_RUN = """
const fs = require("fs"), vm = require("vm");
const window = {};
for (const file of JSON.parse(process.argv[1])) {
  vm.runInNewContext(fs.readFileSync(file, "utf8"), { window });
}
console.log(JSON.stringify(window.__reporterRuns));
"""


def _listed() -> list[dict]:
    result = CliRunner().invoke(cli, ["list", "--runs", str(DATA / "untidy"), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_run_has_a_data_file_named_by_the_digest_of_its_id(untidy_site: Path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing (apt-get install -y nodejs)")
    listed = _listed()
    files = [untidy_site / urls.run_data(r["id"]) for r in listed]
    for run, file in zip(listed, files, strict=True):
        assert file.is_file(), f"no data file for {run['id']!r}"
        assert re.fullmatch(r"[0-9a-f]{24}\.js", file.name)
    done = subprocess.run(
        [node, "-e", _RUN, json.dumps([str(f) for f in files])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert sorted(loaded) == sorted(r["id"] for r in listed)
    for run in listed:
        data = loaded[run["id"]]
        assert data["id"] == run["id"] and data["name"] == run["name"]
        assert data["experiment"] == run["experiment"] and data["tags"] == run["tags"]
        page = untidy_site / unquote(data["url"]) / "index.html"
        assert page.is_file(), f"{run['id']}: {data['url']} is not a page of the site"
        for name, value in run["metrics"].items():
            if value is not None:
                assert data["metrics"][name] == pytest.approx(value, rel=1e-5)
        if data["history_url"]:
            assert (untidy_site / unquote(data["history_url"])).is_file()
        for figure in data["histories"].values():
            assert len(figure["figure"]["data"]) == 1


def test_the_comparison_page_exists_and_names_where_the_data_is(untidy_site: Path):
    html = (untidy_site / "compare" / "index.html").read_text(encoding="utf-8")
    match = re.search(r"<div class=\"reporter-adhoc\"[^>]*data-root='([^']*)'", html)
    assert match and match.group(1) == "../"
    assert (untidy_site / "assets" / "reporter" / "compare.js").is_file()
    assert (untidy_site / "assets" / "reporter" / "query.js").is_file()
