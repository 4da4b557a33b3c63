"""Build the example site from another revision and from the working tree, and compare them
byte for byte (a refactoring must not change the site).

    python scripts/compare_builds.py --base HEAD~1

Both builds run with the same `SOURCE_DATE_EPOCH`, their own cache and the working tree's
`runs/`, `site_src/` and configuration; the base revision's code is checked out into a
temporary git worktree and put first on PYTHONPATH. Prints the files that differ and exits 1 if
any do.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EPOCH = "1767225600"


def build(code: Path, out: Path) -> None:
    """`reporter build` of the example project with reporter's code from `code`."""
    project = out.parent / f"{out.name}-project"
    shutil.copytree(
        REPO,
        project,
        ignore=shutil.ignore_patterns(
            ".git", "site", ".reporter-cache", "reporter", "tests", "bench"
        ),
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(code)}
    subprocess.run(
        [sys.executable, "-m", "reporter.cli", "build", "-q", "--site-dir", str(out)],
        cwd=project,
        env=env,
        check=True,
    )


def differences(a: Path, b: Path) -> list[str]:
    found = []
    compared = filecmp.dircmp(a, b)
    found += [f"only in base: {p}" for p in compared.left_only]
    found += [f"only in new: {p}" for p in compared.right_only]
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    found += [f"differs: {p}" for p in mismatch + errors]
    for sub in compared.common_dirs:
        found += [f"{sub}/{line}" for line in differences(a / sub, b / sub)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the revision to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base_code = work / "base-code"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(base_code), args.base],
            check=True,
            capture_output=True,
        )
        try:
            build(base_code, work / "base")
            build(REPO, work / "new")
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_code)],
                check=False,
            )
        found = differences(work / "base", work / "new")
    for line in found:
        print(line)
    print(f"{len(found)} differences between {args.base} and the working tree")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
