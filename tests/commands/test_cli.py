from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from reporter.cli import cli

from ..conftest import DATA, make_project

UNTIDY = str(DATA / "untidy")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_help_lists_every_command_with_an_example():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("build", "serve", "list", "show"):
        assert command in result.output
        sub = invoke(command, "--help")
        assert sub.exit_code == 0 and "Example:" in sub.output, command


def test_list_json_contract():
    result = invoke("list", "--runs", UNTIDY, "--format", "json", "--config", "missing.yml")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [
        "exp-b/nested/deep-run",
        "exp-a/good-strings",
        "exp-a/good-full",
    ]
    full = records[-1]
    assert set(full) >= {
        "id",
        "name",
        "experiment",
        "created",
        "status",
        "tags",
        "params",
        "metrics",
        "slices",
    }
    assert full["tags"] == ["boosting", "early-stopping"]
    assert full["params"]["model.learning_rate"] == 0.1
    assert full["metrics"] == {
        "log_loss": 0.041,
        "pr_auc": 0.52,
        "roc_auc": 0.95,
        "train_seconds": 12.5,
    }
    assert full["created"] == "2026-10-05T14:00:00+02:00"
    strings = records[1]
    assert strings["slices"] == {
        "segment=retail": {"n": 4000.0, "roc_auc": 0.93},
        "segment=travel": {"n": 900.0, "roc_auc": 0.88},
    }
    assert "Cannot read run 'exp-b/broken-json'" in result.stderr


def test_list_sorts_best_first_and_writes_csv():
    result = invoke("list", "--runs", UNTIDY, "--sort", "log_loss", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,name,experiment,created,status,tags,")
    assert [ln.split(",")[0] for ln in lines[1:]] == [
        "exp-a/good-full",
        "exp-a/good-strings",
        "exp-b/nested/deep-run",
    ]
    result = invoke("list", "--runs", UNTIDY, "--sort", "roc_auc")
    assert result.stdout.splitlines()[1].startswith("exp-a/good-full")


def test_show_json_adds_artifacts_and_details():
    result = invoke("show", "exp-a/good-strings", "--runs", UNTIDY, "--format", "json")
    assert result.exit_code == 0
    detail = json.loads(result.stdout)
    assert detail["id"] == "exp-a/good-strings"
    assert [a["name"] for a in detail["artifacts"]] == ["feature_importance.csv", "model.bin"]
    assert len(detail["artifacts"][0]["sha256"]) == 64
    assert detail["info"]["converged"] is True


def test_show_unknown_run_suggests_close_ids():
    result = invoke("show", "exp-a/good-ful", "--runs", UNTIDY)
    assert result.exit_code == 1
    assert "No run 'exp-a/good-ful'" in result.stderr and "'exp-a/good-full'" in result.stderr


def test_build_warns_names_the_broken_run_and_strict_exits_1(tmp_path):
    config = make_project(tmp_path, DATA / "untidy")
    result = invoke("build", "--config", str(config))
    assert result.exit_code == 0
    assert (
        "WARNING  -  reporter: Cannot read run 'exp-b/broken-json' "
        "(exp-b/broken-json/metrics.json, line 1): invalid JSON"
    ) in result.stderr
    assert "Built 3 runs, skipped 1 (exp-b/broken-json)" in result.stdout
    strict = invoke("build", "--config", str(config), "--strict")
    assert strict.exit_code == 1
    assert "strict" in strict.stderr and "left untouched" in strict.stderr


def test_build_with_missing_runs_root_exits_1(tmp_path):
    config = make_project(tmp_path, DATA / "untidy")
    result = CliRunner().invoke(
        cli, ["build", "--config", str(config), "--runs", str(tmp_path / "nope")]
    )
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_readers_lists_the_built_ins():
    result = invoke("readers")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"native", "mlflow", "mlflow-sqlite", "dvclive", "modelstore"} <= set(names)


def test_card_exports_hugging_face_and_model_card_toolkit_formats():
    hf = invoke("card", "exp-a/good-strings", "--runs", UNTIDY, "--format", "hf")
    assert hf.exit_code == 0
    import yaml

    front = yaml.safe_load(hf.stdout.split("---\n")[1])
    metrics = {m["type"]: m["value"] for m in front["model-index"][0]["results"][0]["metrics"]}
    assert metrics["roc_auc"] == 0.91
    mct = invoke("card", "exp-a/good-strings", "--runs", UNTIDY, "--format", "mct")
    card = json.loads(mct.stdout)
    assert card["model_details"]["name"] == "Strings and nests"
    missing = invoke("card", "nope", "--runs", UNTIDY)
    assert missing.exit_code == 1 and "No run 'nope'" in missing.stderr


def test_publish_copies_the_built_site_and_then_only_changes(tmp_path):
    config = make_project(tmp_path / "p", DATA / "untidy")
    assert invoke("build", "--config", str(config), "-q").exit_code == 0
    site, dest = tmp_path / "p" / "site", tmp_path / "www"
    first = invoke("publish", str(dest), "--site-dir", str(site))
    assert first.exit_code == 0, first.output
    assert (dest / "runs" / "exp-a" / "good-full" / "index.html").is_file()
    again = invoke("publish", str(dest), "--site-dir", str(site))
    assert again.stdout.startswith("Uploaded 0 files")
    bad = CliRunner().invoke(
        cli, ["publish", str(dest), "--site-dir", str(site), "--storage-option", "nokey"]
    )
    assert bad.exit_code == 2


def test_quiet_does_not_hide_warnings_from_strict(tmp_path):
    config = make_project(tmp_path, DATA / "untidy")
    quiet = invoke("build", "--config", str(config), "-q", "--strict")
    assert quiet.exit_code == 1 and "Cannot read run" not in quiet.stderr
    assert "strict" in quiet.stderr  # the error itself is still printed


def test_list_with_evaluation_adds_every_runs_evaluation(tmp_path):
    import json

    from tests.conftest import write_run

    root = tmp_path / "runs"
    rows = "y_true,y_score\n" + "".join(f"{i % 3 == 0:d},{(i % 10) / 10}\n" for i in range(60))
    write_run(root, "a", {"metrics.json": {"n_iter": 5}, "predictions.csv": rows})
    write_run(root, "b", {"metrics.json": {"average_precision": 0.4}})
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\nplugins:\n  - reporter:\n      runs: runs\n")
    result = CliRunner().invoke(
        cli, ["list", "--format", "json", "--with-evaluation", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in json.loads(result.stdout)}
    assert records["b"]["evaluation"] is None
    evaluation = records["a"]["evaluation"]
    assert evaluation["n"] == 60 and "recall@fpr=0.01" in evaluation["metrics"]
    plain = json.loads(
        CliRunner().invoke(cli, ["list", "--format", "json", "--config", str(config)]).stdout
    )
    assert all("evaluation" not in r for r in plain)
    refused = CliRunner().invoke(cli, ["list", "--with-evaluation", "--config", str(config)])
    assert refused.exit_code == 2 and "--with-evaluation needs --format json" in refused.output


def test_list_sort_follows_what_the_metric_means(tmp_path):
    import json

    from tests.conftest import write_run

    root = tmp_path / "runs"
    write_run(root, "a", {"metrics.json": {"recall@fpr=0.01": 0.2, "val_loss": 0.3}})
    write_run(root, "b", {"metrics.json": {"recall@fpr=0.01": 0.6, "val_loss": 0.5}})
    write_run(
        root,
        "c",
        {
            "metrics.json": {"recall@fpr=0.01": 0.9, "val_loss": 0.1},
            "run.yaml": {"status": "FAILED"},
        },
    )
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\nplugins:\n  - reporter:\n      runs: runs\n")

    def order(metric: str) -> list[str]:
        out = CliRunner().invoke(
            cli, ["list", "--format", "json", "--sort", metric, "--config", str(config)]
        )
        return [r["id"] for r in json.loads(out.stdout)]

    assert order("recall@fpr=0.01") == ["b", "a", "c"]  # higher is better; the failed run last
    assert order("val_loss") == ["a", "b", "c"]  # lower is better


def test_list_refuses_to_sort_by_a_metric_no_run_has():
    result = invoke("list", "--runs", UNTIDY, "--sort", "roc_aux")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Cannot sort by 'roc_aux': no run has that metric. Did you mean 'roc_auc', "
        "'pr_auc'? "
        "Metrics: average_precision, log_loss, pr_auc, roc_auc, train_seconds."
    )
    assert result.stdout == ""


def test_build_counts_one_run_in_the_singular(tmp_path):
    config = make_project(tmp_path, DATA / "untidy" / "exp-a")
    shutil.rmtree(tmp_path / "runs" / "good-strings")
    result = invoke("build", "--config", str(config))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Built 1 run in ")
