"""Page names: every run and experiment gets a page no other has, whatever the names.

Runs are named by their id and experiments by a slug of their name; two that would share a
page, compared without case (many file systems ignore it) or against a reserved name
(`experiments/index`), are told apart with a `-2`, `-3`... in sorted order, and a warning says
so. Pure: the ids and names in, the page names out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reporter.model import Run
from reporter.text import slug, unique_names

RESERVED_EXPERIMENTS = ("index",)  # experiments/index.md lists the experiments


@dataclass(frozen=True, kw_only=True, slots=True)
class PageNames:
    runs: dict[str, str] = field(default_factory=dict)  # run id -> page path under runs/
    experiments: dict[str, str] = field(default_factory=dict)  # name -> page under experiments/
    warnings: tuple[str, ...] = ()

    def run(self, run_id: str) -> str:
        return self.runs.get(run_id, run_id)

    def experiment(self, name: str) -> str:
        return self.experiments.get(name) or slug(name)


def page_names(runs: Iterable[Run]) -> PageNames:
    runs = list(runs)
    run_pages, run_clashes = unique_names((r.id for r in runs), lambda run_id: run_id)
    experiments, experiment_clashes = unique_names(
        (r.experiment for r in runs), slug, reserved=RESERVED_EXPERIMENTS
    )
    warnings = [
        f"The runs '{other}' and '{original}' would share a page (their ids differ only in "
        f"case); the page of '{original}' is 'runs/{given}/'"
        for original, other, given in run_clashes
    ] + [_experiment_clash(original, other, given) for original, other, given in experiment_clashes]
    return PageNames(runs=run_pages, experiments=experiments, warnings=tuple(warnings))


def _experiment_clash(original: str, other: str, given: str) -> str:
    if other in RESERVED_EXPERIMENTS:
        return (
            f"The experiment '{original}' would take the page of the experiments list; its page "
            f"is 'experiments/{given}/'"
        )
    return (
        f"The experiments '{other}' and '{original}' would share a page; the page of "
        f"'{original}' is 'experiments/{given}/'"
    )
