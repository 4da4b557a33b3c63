"""The site's scripts' pure parts, tested with node (tests/js/*.test.js), and the run data file
names the build writes checked against the ones the compare page works out in the browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reporter.charts.base import run_colours
from reporter.pages import urls

REPO = Path(__file__).resolve().parents[2]
JS_TESTS = REPO / "tests" / "js"
COMPARE_JS = REPO / "reporter" / "pages" / "assets" / "compare.js"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the script tests need it (apt-get install -y nodejs)")
    return node


def test_script_units_pass_under_node():
    tests = sorted(str(p) for p in JS_TESTS.glob("*.test.js"))
    assert tests, "no tests/js/*.test.js"
    done = subprocess.run([_node(), "--test", *tests], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout


def test_the_browser_finds_each_run_data_file_where_the_build_writes_it():
    ids = ["fraud/hgb-d8", "a,b", "ü/日本語/🙂", "../../x", "<script>alert(1)</script>", "x" * 300]
    script = (
        f"const C = require({json.dumps(str(COMPARE_JS))});"
        f"console.log(JSON.stringify({json.dumps(ids)}.map(C.dataFile)));"
    )
    done = subprocess.run([_node(), "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [urls.run_data(i) for i in ids]
    for path in json.loads(done.stdout):
        assert path.startswith(urls.RUN_DATA_DIR + "/") and path.count("/") == 4


@pytest.mark.parametrize("count", [3, 8, 12])
def test_the_compare_page_gives_runs_the_colours_built_pages_give_them(count):
    ids = [f"fraud/run-{i}" for i in range(count)] + ["ü/日本語", "a,b", "Z/upper"]
    script = (
        f"const C = require({json.dumps(str(COMPARE_JS))});"
        f"console.log(JSON.stringify(C.runColours({json.dumps(ids)})));"
    )
    done = subprocess.run([_node(), "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == run_colours(ids)
