"""Runs read from an fsspec URL: a real S3 API on loopback (moto's server), not a mock."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reporter.cli import cli

from ..conftest import DATA, make_project
from ..site.test_publish import needs_s3, s3, s3_endpoint  # noqa: F401 - fixtures

GOOD = ["exp-a/good-full", "exp-a/good-strings", "exp-b/nested/deep-run"]


def upload(client, bucket: str, prefix: str, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            client.put_object(
                Bucket=bucket,
                Key=f"{prefix}/{path.relative_to(folder).as_posix()}",
                Body=path.read_bytes(),
            )


@needs_s3
def test_build_and_list_runs_from_s3(s3, tmp_path):  # noqa: F811 - a fixture
    client, bucket, options = s3
    upload(client, bucket, "runs", DATA / "untidy")
    config = make_project(tmp_path, DATA / "untidy")
    url = f"s3://{bucket}/runs"
    args = [
        "--runs",
        url,
        "--config",
        str(config),
        "--storage-option",
        f"endpoint_url={options['endpoint_url']}",
    ]
    listed = CliRunner().invoke(cli, ["list", "--format", "json", *args])
    assert listed.exit_code == 0, listed.output
    assert sorted(r["id"] for r in json.loads(listed.stdout)) == GOOD
    built = CliRunner().invoke(cli, ["build", *args])
    assert built.exit_code == 0, built.output
    assert "Cannot read run 'exp-b/broken-json'" in built.stderr
    for run_id in GOOD:
        assert (tmp_path / "site" / "runs" / run_id / "index.html").is_file()
    # a new remote run and a removed one show on the next build; nothing was written remotely
    before = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    client.put_object(Bucket=bucket, Key="runs/exp-c/new/metrics.json", Body=b'{"roc_auc": 0.7}')
    client.delete_object(Bucket=bucket, Key="runs/exp-a/good-strings/metrics.json")
    again = CliRunner().invoke(cli, ["build", *args])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "site" / "runs" / "exp-c" / "new" / "index.html").is_file()
    assert not (tmp_path / "site" / "runs" / "exp-a" / "good-strings" / "index.html").exists()
    after = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert after == (before | {"runs/exp-c/new/metrics.json"}) - {
        "runs/exp-a/good-strings/metrics.json"
    }


@needs_s3
def test_a_missing_remote_root_is_a_clear_error(s3, tmp_path):  # noqa: F811
    _client, bucket, options = s3
    config = make_project(tmp_path, DATA / "untidy")
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--runs",
            f"s3://{bucket}/nope",
            "--config",
            str(config),
            "--storage-option",
            f"endpoint_url={options['endpoint_url']}",
        ],
    )
    assert result.exit_code == 1
    assert "does not exist or is empty" in result.stderr
