"""Building the site with MkDocs into a temporary folder, then swapping it in.

A failed or interrupted build never touches the previous site: the new site is built beside
the target and replaces it only when the build succeeded. On Linux the two folders are
exchanged in one atomic `renameat2(RENAME_EXCHANGE)`, so `site/` is complete at every instant,
even to a web server reading it; elsewhere (or on a file system without exchange) two renames
are used, and a build killed between them is repaired by the next one.

Builds of the same site folder take turns: each holds an exclusive lock (`.site.lock` beside
the site) from start to swap, so two `reporter build`s never interleave their swaps, and
temporary folders beside the site found while holding the lock are leftovers of killed builds.
The previous site is deleted after the swap by a detached process (`_discard`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import errno as _errno
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.config.files import absolute_runs
from reporter.errors import BuildError, ConfigError
from reporter.pipeline import Progress, Report
from reporter.plugin import ReporterPlugin
from reporter.plugin.kept import StaleKeptPages
from reporter.site.targets import MARKER, check_target, marker_text, project_folders, umask

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass(frozen=True, kw_only=True, slots=True)
class BuildResult:
    report: Report
    site_dir: Path
    warnings: int
    reporter_seconds: float = 0.0  # reporter's own work; the rest of the build is MkDocs
    pages_kept: int = 0  # run pages whose HTML came from an earlier build


def load_config(config_file: Path, **overrides: object):  # -> MkDocsConfig
    """The MkDocs config, with the reporter plugin found (or a clear error)."""
    from mkdocs import config as mkconfig
    from mkdocs.exceptions import ConfigurationError

    if not config_file.is_file():
        raise ConfigError(f"No MkDocs config at '{config_file}'. Pass --config PATH.")
    try:
        config = mkconfig.load_config(str(config_file), **overrides)
    except ConfigurationError as exc:
        raise ConfigError(f"Invalid configuration in '{config_file}': {exc}") from exc
    _shut_down_at_exit(config)
    return config


_SHUT_DOWN: set[int] = set()  # plugins whose shutdown is registered (kept alive by atexit)


def _shut_down_at_exit(config: Any) -> None:
    """MkDocs keeps one instance of each plugin with `on_startup` or `on_shutdown` for the
    whole process, reused by every config loaded, and its commands shut them down when they
    end. Material's blog plugin makes a temporary folder when it is made and removes it only
    then: without this, every `reporter build` and `reporter new` left one behind. Each such
    instance is shut down once, when this process exits (never in a forked worker)."""
    for plugin in config.plugins.values():
        if hasattr(plugin, "on_shutdown") and id(plugin) not in _SHUT_DOWN:
            _SHUT_DOWN.add(id(plugin))
            atexit.register(_shut_down, plugin, os.getpid())


def _shut_down(plugin: Any, pid: int) -> None:
    if os.getpid() == pid:
        with contextlib.suppress(OSError):  # its folder already gone
            plugin.on_shutdown()


def reporter_plugin(config: object) -> ReporterPlugin:
    for plugin in config.plugins.values():  # type: ignore[attr-defined]
        if isinstance(plugin, ReporterPlugin):
            return plugin
    raise ConfigError(
        "The MkDocs config does not enable the 'reporter' plugin (plugins: [reporter])."
    )


def build_site(
    config_file: Path,
    *,
    site_dir: Path | None = None,
    runs: str | Path | None = None,
    storage_options: dict[str, Any] | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    site_url: str | None = None,
) -> BuildResult:
    """Build the site; `runs` (a folder or a URL) overrides the config's runs root, `site_url`
    the config's (the URL the site will be served from, which instant navigation needs).

    The target is checked first (`reporter.site.targets`): a refused one is a `UsageError`
    and nothing is written. A failure while writing is one `BuildError` line; the previous
    site stays whole and no temporary folder is left.
    """
    config = load_config(config_file)
    plugin = reporter_plugin(config)
    plugin.runs_override = absolute_runs(str(runs) if runs is not None else None)
    plugin.storage_override = storage_options
    settings = plugin.settings_for(config)
    protected, inside = project_folders(
        settings.runs, Path(config.docs_dir), Path(config_file).resolve().parent
    )
    target = check_target(
        Path(site_dir) if site_dir else Path(config.site_dir),
        what="site folder",
        protected=protected,
        inside_forbidden=inside,
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with site_lock(target):
            _recover(target)
            return _build_into(
                config_file,
                target,
                runs=plugin.runs_override,
                storage_options=storage_options,
                strict=strict,
                progress=progress,
                site_url=site_url,
            )
    except OSError as exc:
        raise BuildError(
            f"Cannot write the site to '{target}': {exc.strerror or exc}"
            f"{_at(exc)}. The previous site was left untouched."
        ) from exc


def _empty(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _at(exc: OSError) -> str:
    return f" ({exc.filename})" if exc.filename else ""


def _build_into(
    config_file: Path,
    target: Path,
    *,
    runs: str | None,
    storage_options: dict[str, Any] | None,
    strict: bool,
    progress: Progress | None,
    site_url: str | None = None,
) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        tmp.chmod(0o777 & ~umask())  # as a plain `mkdocs build` would make it, not 0700
        overrides = {"site_url": site_url} if site_url else {}
        for keep_pages in (True, False):
            config = load_config(config_file, site_dir=str(tmp), strict=strict, **overrides)
            plugin = reporter_plugin(config)
            plugin.runs_override = runs
            plugin.storage_override = storage_options
            plugin.progress = progress
            plugin.site_target = target
            plugin.keep_pages = keep_pages
            plugin.builds_again = True  # on `StaleKeptPages`, below
            counter = _WarningCounter()
            logging.getLogger("mkdocs").addHandler(counter)
            try:
                build(config)
                break
            except StaleKeptPages as exc:  # kept pages would differ from rendered ones
                logging.getLogger("mkdocs").info(f"Rendering every page: {exc}.")
                _empty(tmp)
            except Abort as exc:
                raise BuildError(
                    f"{exc} The previous site in '{target}' was left untouched."
                ) from exc
            except MkDocsException as exc:
                raise BuildError(str(exc)) from exc
            except BaseException as exc:  # interrupted or terminated, which MkDocs does not
                # tell plugins: stop the processes writing into `tmp` before it is removed
                plugin.on_build_error(error=exc)
                raise
            finally:
                logging.getLogger("mkdocs").removeHandler(counter)
        (tmp / MARKER).write_text(marker_text(), encoding="utf-8")
        _swap(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert plugin.report is not None
    return BuildResult(
        report=plugin.report,
        site_dir=target,
        warnings=counter.count,
        reporter_seconds=plugin.seconds,
        pages_kept=plugin.kept.kept if plugin.kept is not None else 0,
    )


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextlib.contextmanager
def site_lock(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of the site folder `target` (waits for another build's turn).

    The lock file stays (removing it would let a waiting build lock a file no one else sees);
    it holds the process id of the build holding the lock, for whoever wonders who it is.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; builds of one site must not overlap there
        yield
        return
    path = target.with_name(f".{target.name}.lock")
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network mounts): build unlocked
            yield
            return
        try:
            fh.truncate(0)
            fh.write(f"{os.getpid()}\n")
            fh.flush()
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _swap(new: Path, target: Path) -> None:
    """Replace `target` with `new`: atomically exchanged where the system can, else renamed
    in two steps with the old site kept (`.<name>-old`) until the new one is in."""
    if target.exists() and _exchange(new, target):
        _discard(new, target)  # `new` now holds the previous site
        return
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    _discard(old, target)


def _discard(previous: Path, target: Path) -> None:
    """Delete the previous site once the new one is in place: renamed out of the way, then
    removed by a detached `rm -rf` where there is one (a site of 10,000 runs is some 75,000
    files, seconds of deleting that no reader of the new site waits for), else here. A
    deletion cut short is finished by the next build (`_recover`)."""
    if _rm() is not None:
        trash = None
        try:  # a name near the system's limit leaves no room for `-trash-`: delete it here
            trash = Path(tempfile.mkdtemp(prefix=f".{target.name}-trash-", dir=target.parent))
            os.replace(previous, trash)
            if _delete_later(trash):
                return
        except OSError:
            pass
        if trash is not None:  # empty, or the previous site when no `rm` could start
            shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)


def _rm() -> str | None:
    return shutil.which("rm") if os.name == "posix" else None


def _delete_later(trash: Path) -> bool:
    """Start a detached `rm -rf` of `trash`; False when none can start."""
    rm = _rm()
    if rm is None:
        return False
    try:
        subprocess.Popen(
            [rm, "-rf", "--", str(trash)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with the build: a Ctrl-C after the swap
        )
    except OSError:
        return False
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False if unsupported
    (not Linux, an old C library, or a file system without it)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (_errno.EINVAL, _errno.ENOSYS, _errno.EOPNOTSUPP, _errno.EXDEV):
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _renameat2():  # -> ctypes function or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    c_int, c_path = ctypes.c_int, ctypes.c_char_p
    function.argtypes = [c_int, c_path, c_int, c_path, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _recover(target: Path) -> None:
    """Repair what a killed build left beside `target` (called with the site lock held, so
    no other build of `target` is running): put back a site moved aside between the two
    renames of a swap, and remove temporary folders."""
    old = target.with_name(f".{target.name}-old")
    if old.exists() and not target.exists():
        os.replace(old, target)
    leftovers = [f".{target.name}-new-*", f".{target.name}-trash-*"]
    for stale in [old, *(p for pattern in leftovers for p in target.parent.glob(pattern))]:
        if not stale.is_dir() or stale.is_symlink():
            continue
        # an earlier site (maybe still being deleted by the last build's `rm`): no waiting
        trash = stale.name.startswith(f".{target.name}-trash-")
        if not (trash and _delete_later(stale)):
            shutil.rmtree(stale, ignore_errors=True)
