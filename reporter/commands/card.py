"""`reporter card`: a run's model card for other tools."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.commands._common import config_option, handled, one_run_and_settings, runs_option


@click.command()
@click.argument("run_id", metavar="RUN")
@runs_option
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hf", "mct"]),
    default="hf",
    show_default=True,
    help="hf: a Hugging Face README.md with model-index results; mct: Model Card Toolkit JSON.",
)
@handled
def card(run_id: str, runs: str | None, storage_options: dict, config_file: Path, fmt: str) -> None:
    """Print a run's model card for other tools (overall and per-slice results included).

    \b
    Example:
      reporter card fraud/hgb-lr0.2-es --format hf > README.md
    """
    import orjson

    from reporter.evaluation.metrics import MetricTypes
    from reporter.pages.cards import CardContext, hf_card, mct_card

    settings, run = one_run_and_settings(run_id, runs, storage_options, config_file)
    ctx = CardContext(
        types=MetricTypes.from_settings(settings), operating_point=settings.operating_point
    )
    if fmt == "hf":
        click.echo(hf_card(run, ctx), nl=False)
    else:
        card = mct_card(run, ctx)
        click.echo(orjson.dumps(card, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
