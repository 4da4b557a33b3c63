"""`reporter readers`: the installed run readers."""

from __future__ import annotations

import click


@click.command()
def readers() -> None:
    """List the installed run readers (entry-point group reporter.readers) and their versions.

    \b
    Example:
      reporter readers
    """
    from reporter.readers import load_readers, reader_versions

    priority = {r.name: r.priority for r in load_readers()}
    for name, dist, version in reader_versions():
        click.echo(f"{name:<16} priority {priority.get(name, '?'):<4} {dist} {version}")
