"""Pages framed by the theme in forked processes, beside MkDocs' own loop.

MkDocs frames every page (renders the theme's template around it: header, navigation, footer,
then `on_post_page`) one after the other in the build's process: 2.3 ms a run page, 23 s at
10,000 runs, with the other cores idle. When MkDocs starts framing (the first page's
`on_page_context`: the navigation, the template environment and the list of pages are final),
`Framer.start` forks processes that each frame a share of reporter's pages outside the
navigation with MkDocs' own `_build_page` and write them into the site. In the build's
process those pages get an empty template (MkDocs renders them to nothing, writes nothing and
`QuietSkips` hides its note), while every plugin still sees their context in the usual order.
Their content, which no plugin reads there once Material's search skips them (their `search`
meta excludes them), is emptied: Material's search still scans it (~0.5 ms a run page).

Before the build ends, `Framer.finish` waits for the processes and logs what they logged
(MkDocs counts their warnings, so `--strict` fails as it would). A process that failed (an
error in a page, killed) leaves its pages to the build's process, which frames them itself,
so an error is raised where MkDocs would raise it.

A page is only framed elsewhere when nothing else can see it being framed: every plugin with
`page_context` or `post_page` events must be one known to leave no trace but the page
(reporter's, MkDocs' and Material's search, tags and blog; their traces of `page_context` are
left by the build's process, which still calls it). With any other plugin or hook, on a
platform or in a process where forking is unsafe (`can_fork`), or with few pages, every page
is framed here.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reporter.plugin.kept import KEPT_TEMPLATE
from reporter.workers import can_fork, die_with

FRAMED_FROM = 100  # pages; fewer are framed here faster than a process forks and starts
# this process's share of the pages against another process's 1: it also frames the pages in
# the navigation, calls every plugin for the pages framed elsewhere, and indexes the site
# (measured at 1,000 and 10,000 runs: a forked process frames a page ~25% slower, copying
# the memory it touches)
KEEP = 0.8
_NO_TRACE = (  # plugins whose page_context and post_page events change only the page
    "reporter.plugin.",
    "material.plugins.search.",
    "material.plugins.tags.",
    "material.plugins.blog.",
    "mkdocs.contrib.search.",
)
_MKDOCS_SEARCH = "mkdocs.contrib.search"
_UNSET = object()


@dataclass
class _Share:
    pid: int
    fd: int  # the pipe its outcome comes back on
    pages: list[Any]
    saved: list[tuple[Any, str]]  # each page's `template` meta (or `_UNSET`) and its content


class Framer:
    """Frames pages in `processes` forked processes besides this one (cores less one)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.elsewhere: set[str] = set()  # src_uris of pages framed in another process
        self.started = False
        self._shares: list[_Share] = []
        self._frame: Callable[[Any], None] | None = None  # frames one page here (MkDocs')

    def start(
        self, context: Any, config: Any, env: Any, nav: Any, framed: Callable[[Any], bool]
    ) -> None:
        """At the first page's `on_page_context`: fork processes that frame a share each of the
        pages (`framed(file)`) still to come, unless it is not safe or not worth it."""
        if self.started:
            return
        self.started = True
        current = context["page"]
        files = context["pages"]  # the list MkDocs passes to every page's context
        if env is None or self.processes < 1 or not can_fork() or not no_trace(config.plugins):
            return
        pages = [f.page for f in files if f.page is not None and f.page is not current]
        pages = [page for page in pages if framed(page.file)]
        build_page = _mkdocs_framing()
        if len(pages) < FRAMED_FROM or build_page is None:
            return

        def frame(page: Any) -> None:
            excluded = page.file.inclusion.is_excluded()
            build_page(page, config, files, nav, env, excluded=excluded)

        self._frame = frame
        unread = material_search_only(config.plugins)
        for share in _shares(pages, self.processes):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: frames its share, reports, exits; never returns
                os.close(read)
                _child(share, frame, current, write)
            os.close(write)
            saved = [(page.meta.get("template", _UNSET), page.content) for page in share]
            for page in share:
                page.meta["template"] = KEPT_TEMPLATE  # renders nothing here
                if unread and (page.meta.get("search") or {}).get("exclude"):
                    page.content = ""  # no plugin reads it: Material's search still scans it
                self.elsewhere.add(page.file.src_uri)
            self._shares.append(_Share(pid, read, share, saved))

    def finish(self) -> None:
        """Wait for the processes; log what they logged; frame here the pages of any that
        failed (raising the error MkDocs raises for a page that cannot be framed)."""
        failed: list[Any] = []
        shares, self._shares = self._shares, []
        for share in shares:
            outcome = _outcome(share)
            if outcome is None:
                failed += share.pages
                for page, (template, content) in zip(share.pages, share.saved, strict=True):
                    if template is _UNSET:
                        page.meta.pop("template", None)
                    else:
                        page.meta["template"] = template
                    page.content = content
                    self.elsewhere.discard(page.file.src_uri)
                continue
            for name, level, message in outcome:
                logging.getLogger(name).log(level, "%s", message)
        assert self._frame is not None or not failed
        for page in failed:
            self._frame(page)

    def abandon(self) -> None:
        """Stop the processes (the build failed: its folder is about to go)."""
        shares, self._shares = self._shares, []
        for share in shares:
            with contextlib.suppress(OSError):
                os.kill(share.pid, 9)
            with contextlib.suppress(OSError):
                os.close(share.fd)
            with contextlib.suppress(OSError):
                os.waitpid(share.pid, 0)


def _mkdocs_framing() -> Callable[..., None] | None:
    """MkDocs' own function framing a page (private: None, and every page framed here, if a
    version of MkDocs has none, or one that takes other arguments)."""
    try:
        from mkdocs.commands.build import _build_page
    except ImportError:
        return None
    try:
        takes = list(inspect.signature(_build_page).parameters)
    except (TypeError, ValueError):
        return None
    return _build_page if takes == _BUILD_PAGE else None


_BUILD_PAGE = ["page", "config", "doc_files", "nav", "env", "dirty", "excluded"]  # MkDocs 1.6


def _shares(pages: list[Any], processes: int) -> list[list[Any]]:
    """The pages each other process frames, interleaved (pages near each other cost alike);
    this process keeps a smaller share (`KEEP`): it frames every other page too."""
    keep = KEEP / (processes + KEEP)
    shares: list[list[Any]] = [[] for _ in range(processes)]
    given = 0
    for i, page in enumerate(pages):
        if int((i + 1) * keep) > int(i * keep):
            continue  # this process's
        shares[given % processes].append(page)
        given += 1
    return shares


def material_search_only(plugins: Any) -> bool:
    """Whether no search plugin but Material's reads pages (it skips a page whose `search`
    meta excludes it; MkDocs' own does not)."""
    handlers = plugins.events["page_context"]
    return not any(
        type(getattr(h, "__self__", None)).__module__.startswith(_MKDOCS_SEARCH) for h in handlers
    )


def no_trace(plugins: Any) -> bool:
    """Whether every `page_context` and `post_page` handler is a known plugin's that changes
    nothing but the page (a hook module's functions are not)."""
    handlers: Iterable[Any] = [*plugins.events["page_context"], *plugins.events["post_page"]]
    for handler in handlers:
        owner = getattr(handler, "__self__", None)
        module = type(owner).__module__ + "." if owner is not None else ""
        if owner is None or not module.startswith(_NO_TRACE):
            return False
    return True


class _Kept(logging.Handler):
    """Keeps a child's log records (logger, level, message), for the build's process."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[tuple[str, int, str]] = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is not self._last:  # once, though it propagates through several loggers
            self._last = record
            self.records.append((record.name, record.levelno, record.getMessage()))


def _child(pages: list[Any], frame: Callable[[Any], None], current: Any, out: int) -> None:
    """In a forked process: frame `pages`, send back the log records, exit (0: all framed)."""
    status, kept = 1, _Kept()
    try:
        gc.disable()  # a collection would touch (and copy) the whole inherited heap
        die_with(os.getppid())
        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for logger in loggers:
            if isinstance(logger, logging.Logger) and (logger.handlers or logger is loggers[0]):
                logger.handlers = [kept]
        current.active = False  # the page the build's process is framing is not active here
        for page in pages:
            frame(page)
        status = 0
    except BaseException:  # noqa: BLE001 - any failure: the build's process frames the pages
        status = 1
    finally:
        with contextlib.suppress(BaseException):
            data = memoryview(json.dumps(kept.records if status == 0 else None).encode())
            while data:
                data = data[os.write(out, data) :]
        os._exit(status)


def _outcome(share: _Share) -> list[tuple[str, int, str]] | None:
    """A child's log records once it exited; None if it failed."""
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := os.read(share.fd, 1 << 16):
            chunks.append(chunk)
    with contextlib.suppress(OSError):
        os.close(share.fd)
    try:
        _, status = os.waitpid(share.pid, 0)
    except ChildProcessError:
        return None
    if status != 0:
        return None
    try:
        records = json.loads(b"".join(chunks))
        return [(str(name), int(level), str(message)) for name, level, message in records]
    except (ValueError, TypeError):  # a child that wrote nothing usable failed
        return None
