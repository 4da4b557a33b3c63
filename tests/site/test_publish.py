"""Publishing to a local folder, fsspec's memory store and a real S3 API (moto's server)."""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import json
import logging
import os
import sys
import uuid
from pathlib import Path

import pytest

from reporter.errors import ConfigError, ReporterError
from reporter.site.publish import (
    MANIFEST,
    PublishError,
    content_type,
    parse_storage_options,
    publish_site,
)

TAMPERED_JS = b"console.log('HACKED!!');\n"  # the size of SITE["assets/app.js"]
SITE = {
    "index.html": b"<!doctype html><title>Runs</title><script src='assets/app.js'></script>",
    "assets/app.js": b"console.log('reporter');\n",
    "assets/logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "assets/fonts/roboto.woff2": b"wOF2\x00\x01\x00\x00",
    "search/search_index.json": b'{"docs": []}',
    "runs/fraud/lgbm-07/index.html": b"<!doctype html><title>lgbm-07</title>",
    "runs/fraud/hgb-02/index.html": b"<!doctype html><title>hgb-02</title>",
    "sitemap.xml.gz": gzip.compress(b"<urlset/>", mtime=0),
}


assert len(TAMPERED_JS) == len(SITE["assets/app.js"])


def make_site(root: Path, files: dict[str, bytes] = SITE) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def manifest(root: Path) -> dict[str, dict]:
    return json.loads((root / MANIFEST).read_text())["files"]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "public"


# -- a local folder --------------------------------------------------------------------------


def test_first_publish_copies_everything_and_writes_the_manifest(site: Path, dest: Path):
    result = publish_site(site, str(dest))

    assert result.changed == tuple(sorted(SITE))
    assert (result.uploaded, result.skipped, result.deleted) == (len(SITE), 0, 0)
    assert result.bytes == sum(map(len, SITE.values()))
    assert tree(dest) == SITE
    assert sorted(manifest(dest)) == sorted(SITE)
    assert manifest(dest)["index.html"]["size"] == len(SITE["index.html"])
    assert not [p for p in dest.rglob("*.tmp")]


def test_second_publish_without_changes_writes_nothing(site: Path, dest: Path):
    publish_site(site, str(dest))
    before = {p: p.stat().st_ino for p in dest.rglob("*")}

    result = publish_site(site, str(dest))

    assert (result.uploaded, result.skipped, result.changed) == (0, len(SITE), ())
    assert {p: p.stat().st_ino for p in dest.rglob("*")} == before  # not even the manifest


@pytest.mark.parametrize("new", [b'{"DOCS": []}', b'{"docs": [1]}'], ids=["same-size", "resized"])
def test_a_changed_file_is_the_only_upload(site: Path, dest: Path, new: bytes):
    publish_site(site, str(dest))
    (site / "search/search_index.json").write_bytes(new)

    result = publish_site(site, dest)

    assert result.changed == ("search/search_index.json",)
    assert (result.uploaded, result.skipped, result.bytes) == (1, len(SITE) - 1, len(new))
    assert (dest / "search/search_index.json").read_bytes() == new
    assert publish_site(site, dest).uploaded == 0


def test_a_removed_file_is_kept_unless_delete(site: Path, dest: Path):
    publish_site(site, str(dest))
    (site / "runs/fraud/hgb-02/index.html").unlink()

    kept = publish_site(site, str(dest))
    assert (kept.deleted, kept.removed) == (0, ())
    assert kept.stale == ("runs/fraud/hgb-02/index.html",)
    assert (dest / "runs/fraud/hgb-02/index.html").exists()

    preview = publish_site(site, str(dest), delete=True, dry_run=True)
    assert preview.removed == ("runs/fraud/hgb-02/index.html",)
    assert (dest / "runs/fraud/hgb-02/index.html").exists()

    deleted = publish_site(site, str(dest), delete=True)
    assert (deleted.deleted, deleted.removed, deleted.uploaded) == (1, preview.removed, 0)
    assert not (dest / "runs/fraud/hgb-02").exists()  # the emptied folder goes too
    assert (dest / "runs/fraud/lgbm-07/index.html").exists()
    assert "runs/fraud/hgb-02/index.html" not in manifest(dest)


@pytest.mark.parametrize(
    "corrupt",
    [
        b'{"version": 1, "files": {"index.ht',
        b"\xff\xfe not utf-8",
        b"[]",
        b'{"version": 2, "files": {}}',
        b'{"version": 1, "files": []}',
        b'{"version": 1, "files": {"../../etc/passwd": {"sha256": "'
        + b"0" * 64
        + b'", "size": 1}}}',
        b'{"version": 1, "files": {"index.html": {"sha256": "abc", "size": 3}}}',
        b'{"version": 1, "files": {"index.html": {"sha256": "' + b"0" * 64 + b'", "size": -1}}}',
    ],
    ids=[
        "truncated",
        "not-utf8",
        "list",
        "version",
        "files-list",
        "traversal",
        "short-hash",
        "neg-size",
    ],
)
def test_a_corrupt_manifest_is_not_trusted(site: Path, dest: Path, corrupt: bytes):
    publish_site(site, str(dest))
    # Tampered with at the destination, same size: only a content comparison can tell.
    (dest / "assets/app.js").write_bytes(TAMPERED_JS)
    (dest / MANIFEST).write_bytes(corrupt)

    result = publish_site(site, str(dest))

    assert result.changed == ("assets/app.js",)
    assert result.skipped == len(SITE) - 1  # the others were compared by content
    assert [w for w in result.warnings if "Ignored the manifest" in w]
    assert tree(dest) == SITE
    assert sorted(manifest(dest)) == sorted(SITE)  # rewritten, valid again


def test_files_changed_behind_its_back_are_uploaded_again(site: Path, dest: Path):
    publish_site(site, str(dest))
    (dest / "assets/logo.svg").unlink()
    (dest / "index.html").write_bytes(b"truncated")
    (dest / "assets/app.js").write_bytes(TAMPERED_JS)  # same size
    (dest / "runs/fraud/hgb-02/index.html").touch()  # same bytes, new stamp

    result = publish_site(site, str(dest))

    assert result.changed == ("assets/app.js", "assets/logo.svg", "index.html")
    assert tree(dest) == SITE
    before = {p: p.stat().st_ino for p in dest.rglob("*")}
    assert publish_site(site, str(dest)).uploaded == 0
    assert {p: p.stat().st_ino for p in dest.rglob("*")} == before  # the manifest is current


def test_an_interrupted_publish_never_leaves_a_lying_manifest(site: Path, dest: Path):
    publish_site(site, str(dest))
    old = SITE["assets/app.js"]
    (site / "assets/app.js").write_bytes(b"console.log('new one!');\n")  # same size

    class Killed(Exception):
        pass

    def kill(done: int, total: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        publish_site(site, str(dest), progress=kill)
    assert (dest / "assets/app.js").read_bytes() != old
    assert "assets/app.js" not in manifest(dest)  # the manifest lists only unchanged files

    (site / "assets/app.js").write_bytes(old)  # back to what the old manifest had recorded
    result = publish_site(site, str(dest))
    assert result.changed == ("assets/app.js",)
    assert tree(dest) == SITE


def test_dry_run_reports_and_writes_nothing(site: Path, dest: Path):
    result = publish_site(site, str(dest), dry_run=True)
    assert result.dry_run and result.uploaded == len(SITE)
    assert not dest.exists()


def test_progress_counts_every_upload_and_delete(site: Path, dest: Path):
    publish_site(site, str(dest))
    (site / "index.html").write_bytes(b"<!doctype html><title>new</title>")
    (site / "assets/logo.svg").unlink()
    calls = []

    publish_site(
        site, str(dest), delete=True, progress=lambda done, total: calls.append((done, total))
    )

    assert calls == [(1, 2), (2, 2)]


def test_assets_are_uploaded_before_pages(site: Path, tmp_path: Path, monkeypatch):
    from reporter.site import destinations

    order = []
    put = destinations.LocalDestination.put
    monkeypatch.setattr(
        destinations.LocalDestination,
        "put",
        lambda self, src, rel: (order.append(rel), put(self, src, rel)),
    )
    publish_site(site, str(tmp_path / "out"))
    pages = [rel for rel in order if rel.endswith(".html")]
    assert order == sorted(set(order) - set(pages)) + sorted(pages)


def test_file_url_and_symlinks_in_the_site(site: Path, tmp_path: Path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not for publishing")
    (site / "leak.txt").symlink_to(outside)

    result = publish_site(site, (tmp_path / "out").as_uri())

    assert "leak.txt" not in result.changed
    assert [w for w in result.warnings if "leak.txt" in w and "symbolic link" in w]
    assert tree(tmp_path / "out") == SITE


def test_never_writes_through_a_link_out_of_the_destination(site: Path, dest: Path, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dest.mkdir()
    (dest / "assets").symlink_to(elsewhere, target_is_directory=True)

    with pytest.raises(PublishError, match="link out of the destination"):
        publish_site(site, str(dest))
    assert not list(elsewhere.iterdir())


@pytest.mark.parametrize("where", ["same", "inside", "parent"])
def test_refuses_to_publish_onto_itself(site: Path, where: str):
    dest = {"same": site, "inside": site / "public", "parent": site.parent}[where]
    with pytest.raises(PublishError, match="Choose a"):
        publish_site(site, str(dest), delete=True)
    assert tree(site) == SITE


def test_refuses_a_folder_that_is_not_a_built_site(tmp_path: Path, dest: Path):
    with pytest.raises(PublishError, match=r"no such folder\. Run `reporter build` first"):
        publish_site(tmp_path / "missing", str(dest))
    (tmp_path / "half").mkdir()
    (tmp_path / "half/app.js").write_text("x")
    with pytest.raises(PublishError, match=r"not a built site \(no index.html\)"):
        publish_site(tmp_path / "half", str(dest))


def test_delete_refuses_a_folder_holding_something_else(site: Path, dest: Path):
    dest.mkdir()
    (dest / "thesis.tex").write_text("years of work")

    with pytest.raises(PublishError, match="Refusing to publish with --delete .* 1 file but"):
        publish_site(site, str(dest), delete=True)
    assert (dest / "thesis.tex").exists()

    result = publish_site(site, str(dest))  # without --delete: published beside it, kept
    assert result.stale == ("thesis.tex",)


def test_a_destination_that_is_a_file(site: Path, tmp_path: Path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(PublishError, match="it is a file"):
        publish_site(site, str(tmp_path / "file"))


# The fsspec and S3 tests are skipped only when asked to (REPORTER_SKIP_S3=1) and their packages
# are missing; otherwise a missing package fails them (CI installs them with the test extra).
S3_STACK = all(importlib.util.find_spec(m) for m in ("fsspec", "moto", "flask", "s3fs", "boto3"))
needs_s3 = pytest.mark.skipif(
    not S3_STACK and os.environ.get("REPORTER_SKIP_S3") == "1",
    reason="fsspec, moto[server], s3fs or boto3 not installed, and REPORTER_SKIP_S3=1",
)

# -- fsspec URLs without a network -----------------------------------------------------------


@pytest.fixture
def memory_url() -> str:
    return f"memory://reporter-tests/{uuid.uuid4().hex}"


@needs_s3
def test_memory_store_round_trip_and_untrusted_manifest(site: Path, memory_url: str):
    import fsspec

    assert publish_site(site, memory_url).uploaded == len(SITE)
    assert publish_site(site, memory_url).uploaded == 0
    fs, root = fsspec.core.url_to_fs(memory_url)
    fs.pipe_file(f"{root}/{MANIFEST}", b"{oops")

    result = publish_site(site, memory_url)

    assert result.uploaded == len(SITE)  # no cheap way to compare content there: upload all
    assert publish_site(site, memory_url).uploaded == 0


@pytest.mark.parametrize(
    ("url", "protocol", "package", "extra"),
    [
        ("s3://bucket/site", "s3", "s3fs", "s3"),
        ("gs://bucket/site", "gs", "gcsfs", "gcs"),
        ("az://container/site", "az", "adlfs", "azure"),
    ],
)
@needs_s3
def test_a_missing_backend_names_the_extra(site, monkeypatch, url, protocol, package, extra):
    registry = importlib.import_module("fsspec.registry")
    monkeypatch.delitem(registry._registry, protocol, raising=False)
    monkeypatch.setitem(sys.modules, package, None)

    with pytest.raises(PublishError) as info:
        publish_site(site, url)

    assert f"pip install 'reporter[{extra}]'" in str(info.value)
    assert isinstance(info.value, ReporterError) and url in str(info.value)


@needs_s3
def test_an_unknown_protocol(site: Path):
    with pytest.raises(PublishError, match="Protocol not known: nope"):
        publish_site(site, "nope://somewhere/site")


def test_content_types():
    assert content_type("index.html") == "text/html; charset=utf-8"
    assert content_type("assets/app.JS") == "text/javascript; charset=utf-8"
    assert content_type("search/search_index.json") == "application/json"
    assert content_type("logo.svg") == "image/svg+xml"
    assert content_type("sitemap.xml") == "application/xml"
    assert content_type("sitemap.xml.gz") == "application/gzip"
    assert content_type("fonts/roboto.woff2") == "font/woff2"
    assert content_type("no-suffix") == "application/octet-stream"


def test_parse_storage_options():
    assert parse_storage_options(
        ["endpoint_url=http://127.0.0.1:9000", "anon=false", "client_kwargs.region_name=eu-west-1"]
    ) == {
        "endpoint_url": "http://127.0.0.1:9000",
        "anon": False,
        "client_kwargs": {"region_name": "eu-west-1"},
    }
    assert parse_storage_options(['key="123"', "n=3"]) == {"key": "123", "n": 3}
    for bad in ["novalue", "=x", "a..b=1"]:
        with pytest.raises(ConfigError, match=f"Invalid storage option '{bad}'"):
            parse_storage_options([bad])


# -- a real S3 API on loopback ----------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.fail(
            "The S3 tests need moto[server] and s3fs: pip install -e '.[test]' "
            "(or set REPORTER_SKIP_S3=1 to skip them).",
            pytrace=False,
        )
    nowhere = str(tmp_path_factory.mktemp("aws") / "none")
    with pytest.MonkeyPatch.context() as env:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            env.setenv(key, value)
        env.delenv("AWS_PROFILE", raising=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def s3(s3_endpoint: str):
    """A fresh bucket: (boto3 client, bucket name, storage options)."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"reports-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return client, bucket, {"endpoint_url": s3_endpoint}


def objects(client, bucket: str) -> dict[str, bytes]:
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


@needs_s3
def test_s3_publish_sets_content_types_and_skips_what_is_unchanged(site: Path, s3):
    client, bucket, options = s3

    result = publish_site(site, f"s3://{bucket}/site", storage_options=options)

    assert result.uploaded == len(SITE) and result.dest == f"s3://{bucket}/site"
    stored = objects(client, bucket)
    assert stored.pop(f"site/{MANIFEST}")
    assert stored == {f"site/{rel}": data for rel, data in SITE.items()}
    types = {
        rel: client.head_object(Bucket=bucket, Key=f"site/{rel}")["ContentType"] for rel in SITE
    }
    assert types == {
        "index.html": "text/html; charset=utf-8",
        "runs/fraud/lgbm-07/index.html": "text/html; charset=utf-8",
        "runs/fraud/hgb-02/index.html": "text/html; charset=utf-8",
        "assets/app.js": "text/javascript; charset=utf-8",
        "assets/logo.svg": "image/svg+xml",
        "assets/fonts/roboto.woff2": "font/woff2",
        "search/search_index.json": "application/json",
        "sitemap.xml.gz": "application/gzip",
    }
    head = client.head_object(Bucket=bucket, Key=f"site/{MANIFEST}")
    assert head["ContentType"] == "application/json"

    again = publish_site(site, f"s3://{bucket}/site/", storage_options=options)
    assert (again.uploaded, again.skipped) == (0, len(SITE))
    assert client.head_object(Bucket=bucket, Key=f"site/{MANIFEST}")["ETag"] == head["ETag"]


@needs_s3
def test_s3_change_and_delete_stay_inside_the_prefix(site: Path, s3):
    client, bucket, options = s3
    neighbours = {"site-old/index.html": b"old", "other/runs/fraud/hgb-02/index.html": b"x"}
    for key, data in neighbours.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)
    url = f"s3://{bucket}/site"
    publish_site(site, url, storage_options=options)
    (site / "assets/app.js").write_bytes(b"console.log('v2');")
    (site / "runs/fraud/hgb-02/index.html").unlink()

    result = publish_site(site, url, storage_options=options)
    assert (result.changed, result.stale) == (("assets/app.js",), ("runs/fraud/hgb-02/index.html",))
    assert "site/runs/fraud/hgb-02/index.html" in objects(client, bucket)

    result = publish_site(site, url, delete=True, storage_options=options)
    assert (result.uploaded, result.removed) == (0, ("runs/fraud/hgb-02/index.html",))
    stored = objects(client, bucket)
    assert "site/runs/fraud/hgb-02/index.html" not in stored
    assert stored["site/assets/app.js"] == b"console.log('v2');"
    assert {key: stored[key] for key in neighbours} == neighbours


@needs_s3
def test_s3_an_object_rewritten_behind_its_back_is_uploaded_again(site: Path, s3):
    client, bucket, options = s3
    url = f"s3://{bucket}/site"
    publish_site(site, url, storage_options=options)
    client.put_object(Bucket=bucket, Key="site/assets/app.js", Body=TAMPERED_JS)

    result = publish_site(site, url, storage_options=options)

    assert (result.changed, result.warnings) == (("assets/app.js",), ())
    assert objects(client, bucket)["site/assets/app.js"] == SITE["assets/app.js"]


@needs_s3
def test_s3_corrupt_manifest_falls_back_to_etags(site: Path, s3):
    client, bucket, options = s3
    url = f"s3://{bucket}/site"
    publish_site(site, url, storage_options=options)
    client.put_object(Bucket=bucket, Key=f"site/{MANIFEST}", Body=b'{"version": 1, "files": ')
    client.put_object(Bucket=bucket, Key="site/assets/app.js", Body=TAMPERED_JS)

    result = publish_site(site, url, storage_options=options)

    assert result.changed == ("assets/app.js",)
    assert [w for w in result.warnings if "Ignored the manifest" in w]
    assert objects(client, bucket)["site/assets/app.js"] == SITE["assets/app.js"]
    assert publish_site(site, url, storage_options=options).uploaded == 0


@needs_s3
def test_s3_dry_run_missing_bucket_and_bad_option(site: Path, s3):
    client, bucket, options = s3
    result = publish_site(site, f"s3://{bucket}/site", dry_run=True, storage_options=options)
    assert result.uploaded == len(SITE) and objects(client, bucket) == {}

    with pytest.raises(PublishError, match=r"Cannot list 's3://no-such-bucket-[0-9a-f]+/site'"):
        publish_site(
            site, f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/site", storage_options=options
        )
    with pytest.raises(PublishError, match="unexpected keyword argument 'no_such_option'"):
        publish_site(site, f"s3://{bucket}/site", storage_options={**options, "no_such_option": 1})
    assert objects(client, bucket) == {}
