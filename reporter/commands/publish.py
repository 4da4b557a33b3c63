"""`reporter publish`: copy the built site to a folder or a bucket, changed files only."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.commands._common import config_option, handled, storage_option


@click.command()
@click.argument("dest")
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path),
    help="The built site to publish (default: the config's site_dir, else ./site).",
)
@config_option
@click.option(
    "--delete", is_flag=True, help="Remove files from DEST that are no longer in the site."
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@storage_option(
    "An fsspec storage option, e.g. endpoint_url=http://127.0.0.1:9000 (repeatable; "
    "dotted keys nest, JSON values are decoded)."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@handled
def publish(
    dest: str,
    site_dir: Path | None,
    config_file: Path,
    delete: bool,
    dry_run: bool,
    storage_options: dict,
    quiet: bool,
) -> None:
    """Copy the built site to a folder or a bucket, uploading only the files that changed.

    DEST is a folder or an fsspec URL (s3://bucket/prefix, gs://..., az://..., file://...);
    URLs need their extra, e.g. pip install 'reporter[s3]'. Content types are set. Files that
    disappeared from the site are removed from DEST only with --delete.

    \b
    Example:
      reporter publish s3://team-reports/fraud --delete
      reporter publish /srv/www/reports --dry-run
    """
    from reporter.commands.progress import ReadProgress
    from reporter.site.build import site_lock
    from reporter.site.publish import publish_site

    site_dir = site_dir or _configured_site(config_file)
    _check_folder(dest, config_file)
    with (
        site_lock(site_dir.resolve()),  # never copy a site while a build swaps it in
        ReadProgress(enabled=not quiet and not dry_run, label="Publishing") as progress,
    ):
        result = publish_site(
            site_dir,
            dest,
            delete=delete,
            dry_run=dry_run,
            progress=progress.update,
            storage_options=storage_options,
        )
    for warning in result.warnings:
        click.echo(f"WARNING  -  {warning}", err=True)
    if quiet:
        return
    verb = "Would upload" if dry_run else "Uploaded"
    line = f"{verb} {result.uploaded} files ({result.bytes:,} bytes), {result.skipped} unchanged"
    if delete:
        line += f", {'would remove' if dry_run else 'removed'} {result.deleted}"
    elif result.stale:
        line += f", kept {len(result.stale)} no longer in the site (--delete removes them)"
    click.echo(f"{line} -> {result.dest}")
    if dry_run:
        for path in result.changed:
            click.echo(f"  upload  {path}")
        for path in result.removed:
            click.echo(f"  delete  {path}")


def _configured_site(config_file: Path) -> Path:
    from reporter.config.files import site_dir

    return site_dir(config_file) if config_file.is_file() else Path("site")


def _check_folder(dest: str, config_file: Path) -> None:
    """A folder destination must not be the project's runs, docs or folders, nor a folder
    holding files reporter did not publish there (`reporter.site.targets`)."""
    from reporter.config.files import docs_dir, settings_from_config_file
    from reporter.site.destinations import local_folder
    from reporter.site.targets import check_target, project_folders

    folder = local_folder(dest)
    if folder is None:
        return
    if config_file.is_file():
        settings = settings_from_config_file(config_file)
        found = project_folders(settings.runs, docs_dir(config_file), config_file.resolve().parent)
    else:
        found = project_folders(Path.cwd() / "runs", None, None)
    protected, beneath = found
    check_target(folder, what="publish folder", protected=protected, inside_forbidden=beneath)
