"""Render: the study to Markdown pages (pure; returns strings, writes nothing).

Pages are Markdown for headings (so titles, the table of contents and search work) with HTML
blocks for tables and charts. Everything user-written is escaped; prose (cards, notes) is
rendered from Markdown and sanitised.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import jinja2
import orjson
from markupsafe import escape

from reporter.charts.base import run_colours
from reporter.charts.history import run_history_charts
from reporter.charts.plots import run_plot_charts
from reporter.config import Settings
from reporter.evaluation.paired import Difference
from reporter.journal.entries import Entry
from reporter.journal.resolve import ResolvedEmbed
from reporter.model import Run
from reporter.pages import filters, urls
from reporter.pages.cache import CachedMarkdown, PageCache
from reporter.pages.cards import CardContext, card_results, hf_card, mct_card
from reporter.pages.environment import environment
from reporter.pages.filters import ChartSink
from reporter.pages.handover import mark
from reporter.pages.numbers import number_format
from reporter.pages.parallel import run_page_key, run_pages
from reporter.pages.parts import COMPARISON, RUN, applicable, part_context
from reporter.pages.run_data import run_data, run_data_script
from reporter.pages.run_page import eval_charts, headline_rows, related_runs, slice_rows, targets
from reporter.study.analyse import Experiment, Study, metric_value
from reporter.study.compare import (
    Comparison,
    build_comparison,
    sd_text,
    with_full_runs,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    """A generated page: where it goes, its Markdown, whether it belongs in the nav, and the
    files it needs beside it (its charts' data, exported cards) as (path, text) pairs; a text
    of None means the file is already in place from an earlier build (a cached page)."""

    src_uri: str
    markdown: str | CachedMarkdown  # a cached page's is read only when it is rendered
    in_nav: bool = False
    assets: tuple[tuple[str, str | None], ...] = ()
    copies: tuple[tuple[str, str], ...] = ()  # its run's own files, (src_uri, source), to copy
    stub: tuple[str, ...] | None = None  # its stub as MkDocs parses it, where `finish` did


class Renderer:
    """Renders every page kind; holds the template environment and the study."""

    def __init__(
        self,
        study: Study,
        settings: Settings,
        comparisons: tuple[Comparison, ...] = (),
        env: jinja2.Environment | None = None,
        backlinks: dict[str, list[Entry]] | None = None,
        page_cache: PageCache | None = None,
        full_run: Callable[[Run], Run] | None = None,
        finish: Callable[[Page], Page] | None = None,
    ):
        self.page_cache = page_cache
        self.finish = finish  # applied to each run page where it is rendered (its data files)
        self.full: Callable[[Run], Run] = full_run or (lambda run: run)
        self.study = study
        self.settings = settings
        self.comparisons = comparisons
        self.backlinks = backlinks or {}
        code = settings.cache_dir / "templates" if settings.cache else None
        self.env = env or environment(settings.templates, code)
        self.paths = urls.Paths(study.pages)
        self.card_context = CardContext(types=study.types, operating_point=study.operating_point)

    def url(self, src_uri: str) -> str:
        return urls.page_url(src_uri, self.settings.use_directory_urls)

    def _page(self, template: str, src_uri: str, in_nav: bool = False, **context: Any) -> Page:
        """Render a page whose charts go to a data file beside it."""
        sink = ChartSink(src_uri)
        markdown = self._render(template, src_uri, chart_sink=sink, **context)
        if not sink.figures:
            return Page(src_uri=src_uri, markdown=markdown, in_nav=in_nav)
        script = sink.script()
        data_src = urls.chart_data(hashlib.sha256(script.encode()).hexdigest()[:24])
        data_url = urls.relative_url(self.url(data_src), self.url(src_uri))
        loader = "\n" + str(
            mark(
                f'<div class="reporter-chart-data" data-chart-page="{escape(src_uri)}" '
                f'data-src="{escape(data_url)}" hidden></div>'
            )
        )
        return Page(
            src_uri=src_uri,
            markdown=markdown + loader,
            in_nav=in_nav,
            assets=((data_src, script),),
        )

    def _render(
        self, template: str, src_uri: str, *, page_url: str | None = None, **context: Any
    ) -> str:
        here = self.url(src_uri) if page_url is None else page_url

        def link(target_src: str) -> str:
            return urls.relative_url(self.url(target_src), here)

        return self.env.get_template(template).render(
            study=self.study,
            settings=self.settings,
            link=link,
            run_page=self.paths.run_page,
            experiment_page=self.paths.experiment_page,
            compare_page=urls.compare_page,
            history_page=self._history_page,
            comparisons=self.comparisons,
            experiment_comparison=self._experiment_comparison,
            sd_text=sd_text,
            value=metric_value,
            ranked=self.study.ranking.ranked,
            operating_point=self.study.operating_point,
            **context,
        )

    def pages(self) -> Iterator[Page]:
        """Every generated page, one at a time (a caller can write each page's data and let it
        go, so memory does not grow with the number of runs times their chart data)."""
        yield Page(src_uri="leaderboard.md", markdown=self.leaderboard(), in_nav=True)
        yield Page(src_uri="experiments/index.md", markdown=self.experiments(), in_nav=True)
        for experiment in self.study.experiments:
            yield self.experiment(experiment)
        workers = self.settings.processes
        yield from run_pages(self, self.study.runs, workers)
        for cmp in self.comparisons:
            yield self.comparison(cmp)
        # always there (saying how to declare one when there is none): the nav lists it
        yield Page(src_uri="compare/index.md", markdown=self.comparison_index(), in_nav=True)

    def experiment(self, experiment: Experiment) -> Page:
        """An experiment's page; from the page cache when what its table shows is unchanged:
        each run's link, name, date, status, tags, values and rank, and the columns (with the
        study's best values, which a new run elsewhere can change)."""
        src = self.paths.experiment_page(experiment.name)
        cache, key = self.page_cache, None
        if cache is not None:
            columns = self.study.visible_columns
            ranked = self.study.ranking.ranked
            rows = [
                (r.id, self.paths.run_page(r.id), r.name, r.created, r.status, r.tags)
                + (ranked(r), *(metric_value(r, c.name) for c in columns))
                for r in experiment.runs
            ]
            cmp = self._experiment_comparison(experiment.name)
            key = cache.key("experiment", src, experiment.name, columns, rows, cmp and cmp.spec)
            hit = cache.get(key)
            if hit is not None:
                return Page(src_uri=src, markdown=hit[0])
        page = Page(
            src_uri=src, markdown=self._render("experiment.md.j2", src, experiment=experiment)
        )
        if key is not None:
            cache.put(key, page.markdown, ())
        return page

    def comparison(self, cmp: Comparison) -> Page:
        """A comparison page; from the page cache when its runs and their files are unchanged."""
        cache, key = self.page_cache, None
        if cache is not None and all(r.files_fingerprint for r in cmp.runs):
            key = cache.key(
                repr(cmp.spec),
                [(r.id, r.files_fingerprint) for r in cmp.runs],
                [c.name for c in self.study.visible_columns],
                self.study.primary_metric,
            )
            hit = cache.get(key)
            if hit is not None:
                return Page(
                    src_uri=urls.compare_page(cmp.spec.slug), markdown=hit[0], assets=hit[1]
                )
        page = self._comparison(with_full_runs(cmp, self.full))
        if key is not None:
            cache.put(key, page.markdown, page.assets)
        return page

    def _comparison(self, cmp: Comparison) -> Page:
        src = urls.compare_page(cmp.spec.slug)
        parts, contexts = self._parts(cmp, COMPARISON)
        return self._page("compare.md.j2", src, cmp=cmp, parts=parts, contexts=contexts)

    def _parts(
        self, cmp: Comparison, scope: str, colours: dict[str, str] | None = None
    ) -> tuple[list[str], dict[str, Any]]:
        parts = applicable(cmp.spec.show, cmp, scope)
        return parts, {
            p: part_context(p, cmp, self.settings, self.study, scope, colours) for p in parts
        }

    def comparison_index(self) -> str:
        return self._render(
            "compare_index.md.j2",
            "compare/index.md",
            columns=[c.to_json() for c in self.study.columns],
            run_data_dir=urls.RUN_DATA_DIR,
        )

    def _experiment_comparison(self, name: str) -> Comparison | None:
        return next((c for c in self.comparisons if c.spec.experiment == name), None)

    def leaderboard(self) -> str:
        values = self.study.values
        formats = {c.name: number_format(values[c.name], c.type.format) for c in self.study.columns}
        columns = [{**c.to_json(), **formats[c.name].to_json()} for c in self.study.columns]
        return self._render(
            "leaderboard.md.j2",
            "leaderboard.md",
            rows=self._rows("leaderboard.md"),
            columns=columns,
        )

    def experiments(self) -> str:
        return self._render("experiments.md.j2", "experiments/index.md")

    def home(self, src_uri: str, journal: list[dict[str, str]]) -> str:
        return self._render("home.md.j2", src_uri, journal=journal)

    def run(self, run: Run) -> Page:
        src = self.paths.run_page(run.id)
        return self._page(
            "run.md.j2",
            src,
            run=run,
            charts=run_history_charts(run, self.settings.max_points),
            plot_charts=run_plot_charts(run, self.settings.max_points),
            performance=headline_rows(run),
            operating_targets=targets(run.evaluation, self.study.operating_point)
            if run.evaluation
            else [],
            eval_charts=eval_charts(run, self.settings.evaluation.min_positives),
            slice_rows=slice_rows(run.evaluation) if run.evaluation else [],
            related=related_runs(run, self.study),
            card_files=tuple(
                urls.relative_url(self.url(self.paths.card_file(run.id, kind)), self.url(src))
                for kind in ("hf", "mct")
            ),
            discussed=[
                (e, quote(posixpath.relpath(e.src_uri, posixpath.dirname(src))))
                for e in self.backlinks.get(run.id, [])
            ],
        )

    def run_page(self, run: Run) -> Page:
        """A run's page plus its model card exported for other tools; from the page cache when
        nothing it is made from changed."""
        cache, key = self.page_cache, run_page_key(self, run)
        if cache is not None and key is not None:
            hit = cache.get(key)
            if hit is not None:
                return Page(src_uri=self.paths.run_page(run.id), markdown=hit[0], assets=hit[1])
        page = self._run_page(self.full(run))
        if key is not None:
            cache.put(key, page.markdown, page.assets)
        if self.finish is None:
            return page
        return self.finish(replace(page, copies=self.paths.own_files(run.id, run.history_file)))

    def _run_page(self, run: Run) -> Page:
        page = self.run(run)
        results = card_results(run, self.card_context)  # both cards list them
        mct = mct_card(run, self.card_context, results)
        cards = (
            (self.paths.card_file(run.id, "hf"), hf_card(run, self.card_context, results)),
            (
                self.paths.card_file(run.id, "mct"),
                orjson.dumps(mct, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
                + "\n",
            ),
            (urls.run_data(run.id), run_data_script(self._run_data(run))),
        )
        return replace(page, assets=page.assets + cards)

    def _run_data(self, run: Run) -> dict[str, Any]:
        return run_data(
            run,
            settings=self.settings,
            paths=self.paths,
            ranking=self.study.ranking,
            operating_point=self.study.operating_point,
        )

    def embed(
        self,
        src_uri: str,
        page_url: str,
        resolved: ResolvedEmbed,
        siblings: tuple[ResolvedEmbed, ...] = (),
    ) -> str:
        """A journal embed: the comparison parts (or one run's parts) it asks for, as HTML.
        `siblings`: every embed of the page, whose runs share one colour each."""
        if resolved.spec is None:
            return self._render("embed_error.j2", src_uri, page_url=page_url, error=resolved.error)
        cmp = self._tested(build_comparison(resolved.spec, self.study, self.settings))
        cmp = with_full_runs(cmp, self.full)
        scope = RUN if resolved.single_run else COMPARISON
        ids = {r.id for r in cmp.runs}
        for other in siblings:
            if other.spec is not None and other is not resolved:
                found = build_comparison(other.spec, self.study, self.settings)
                ids.update(r.id for r in found.runs)
        parts, contexts = self._parts(cmp, scope, run_colours(ids))
        template = "embed_run.j2" if resolved.single_run else "embed.j2"
        return self._render(
            template,
            src_uri,
            page_url=page_url,
            cmp=cmp,
            run=cmp.runs[0],
            parts=parts,
            contexts=contexts,
        )

    def _tested(self, cmp: Comparison) -> Comparison:
        """An embedded comparison with the paired differences the build computed for its
        baseline (declared comparisons); untested otherwise."""
        if self.comparisons:
            cmp = replace(cmp, tested=self.comparisons[0].tested)
        if cmp.baseline is None:
            return cmp
        known: dict[str, Difference] = {}
        for c in self.comparisons:
            if c.differences and c.baseline is not None and c.baseline.id == cmp.baseline.id:
                known |= c.differences
        if not known:
            return cmp
        return replace(cmp, differences={r.id: known[r.id] for r in cmp.runs if r.id in known})

    def _history_page(self, run: Run) -> str:
        name = (run.history_file or "").replace("\\", "/").rsplit("/", 1)[-1]
        return self.paths.run_file(run.id, name)

    def _rows(self, src_uri: str) -> list[dict[str, Any]]:
        """Leaderboard rows, shipped as JSON and drawn (sorted, filtered) in the browser."""
        here = self.url(src_uri)
        link: Callable[[str], str] = lambda s: urls.relative_url(self.url(s), here)  # noqa: E731
        columns = [self.study.values[c.name] for c in self.study.columns]
        return [
            {
                "id": r.id,
                "name": r.name,
                "url": link(self.paths.run_page(r.id)),
                "experiment": r.experiment,
                "experiment_url": link(self.paths.experiment_page(r.experiment)),
                "created": filters.date(r.created),
                "status": r.status,
                "ranked": self.study.ranking.ranked(r),
                "tags": list(r.tags),
                "metrics": [filters.short(column[i]) for column in columns],
                "params": _query_params(r),
                "compare": [i for i, c in enumerate(self.comparisons) if r in c.runs],
            }
            for i, r in enumerate(self.study.runs)
        ]


PARAM_TEXT = 100  # characters of a parameter's value the leaderboard's queries look at


def _query_params(run: Run) -> dict[str, str]:
    """A run's parameters as the leaderboard's queries see them (`params.model.max_depth = 8`):
    text, the first `PARAM_TEXT` characters of long values, `ROW_LIMIT` parameters at most."""
    items = sorted(run.params.items())[: filters.ROW_LIMIT]
    return {k: filters.value_text(v)[:PARAM_TEXT] for k, v in items}


def _rel_from(src: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(src))
