"""Developer tasks, run with nox (https://nox.thea.codes): `nox -l` lists them.

    nox -s tests            the full suite on every supported Python (3.10-3.13), without Ray
                            and the browser tests (`serve`'s Python side runs here too)
    nox -s tests-3.12       ... on one of them; arguments after `--` go to pytest
    nox -s ray              the Ray adapter's test (the only one that needs the ray extra)
    nox -s lint             ruff check and ruff format --check, through the pre-commit hooks
    nox -s types            mypy --strict, for the oldest and the newest supported Python
    nox -s docs             mkdocs build --strict (`nox -s docs -- serve` to preview)
    nox -s package          build wheel and sdist, check them, run the wheel from a fresh venv
    nox -s lowest           the unit suite against the lowest versions pyproject.toml allows
    nox -s mutation         the scripted mutation check (`nox -s mutation -- --list`)
    nox -s bench            the benchmarks (`nox -s bench -- --quick` for a smoke run)
    nox -s ci               everything CI runs: .ci/run, in a virtualenv of its own

Why nox: sessions are plain Python, it creates one virtualenv per session and
Python version with the standard tools (virtualenv, pip), and it reads the
supported Pythons from pyproject.toml's classifiers, so the matrix and the
metadata cannot disagree. Each session installs the project with the extras
it needs (pyproject.toml), so tool versions are declared in one place.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)  # from the classifiers
OLDEST, NEWEST = PYTHONS[0], PYTHONS[-1]

nox.options.sessions = ["lint", "types", "tests"]  # a bare `nox`: the quick loop
nox.options.error_on_missing_interpreters = True  # a missing Python fails, never skips
if hasattr(nox.options, "download_python"):
    nox.options.download_python = "never"  # use this machine's interpreters only


def _expose_pyenv_interpreters() -> None:
    """Put pyenv's installed `pythonX.Y` on PATH, so nox finds versions pyenv has not activated.

    pyenv's shims only run the active version; the others live in
    $PYENV_ROOT/versions/X.Y.Z/bin. They are linked into one folder put first on
    PATH (only `pythonX.Y` names, so `python` and `pip` still mean the same).
    """
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not versions.is_dir():
        return
    links = ROOT / ".nox" / "_pythons"
    links.mkdir(parents=True, exist_ok=True)
    for wanted in PYTHONS:
        found = sorted(
            versions.glob(f"{wanted}.*/bin/python{wanted}"),
            key=lambda p: [int(x) for x in p.parents[1].name.split(".") if x.isdigit()],
        )
        if found:
            link = links / f"python{wanted}"
            link.unlink(missing_ok=True)
            link.symlink_to(found[-1])
    os.environ["PATH"] = f"{links}{os.pathsep}{os.environ['PATH']}"


_expose_pyenv_interpreters()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The full suite, without Ray (its one test is skipped) and the browser tests."""
    if os.environ.get("CI_SUITE_RAN_ON") == session.python:
        session.skip(f"the README's test command already ran the full suite on {session.python}")
    session.install("-e", ".[test-core,serve]")
    # the browser tests (Chromium + Playwright) run once, in the README's command
    session.run("python", "-m", "pytest", "-q", "-m", "not browser", *session.posargs)


@nox.session(python=PYTHONS)
def ray(session: nox.Session) -> None:
    """The Ray adapter's test: the only one that needs the `ray` extra."""
    session.install("-e", ".[test-core,ray]")
    session.run(
        "python", "-m", "pytest", "-q", "tests/integration_tests/test_audiobook_ray.py",
        *session.posargs,
    )  # fmt: skip


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check on every file, through the pre-commit hooks."""
    session.install("pre-commit>=3.5")
    session.run("pre-commit", "run", "--all-files", "--show-diff-on-failure", *session.posargs)


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict, for the oldest and the newest supported Python (version-gated code)."""
    session.install("-e", ".[types]")
    for version in (OLDEST, NEWEST):
        session.run("mypy", "--python-version", version, *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the MkDocs site strictly into a temporary folder (`-- serve` to preview)."""
    session.install("-e", ".[docs]")
    env = {"NO_MKDOCS_2_WARNING": "1"}
    if session.posargs:
        session.run("mkdocs", *session.posargs, env=env)
    else:
        site = session.create_tmp()
        session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", site, env=env)


@nox.session
def package(session: nox.Session) -> None:
    """Build wheel and sdist, twine-check them, check their files, run the wheel in a new venv."""
    session.install("build>=1.2", "twine>=6.1")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT))
    session.run("twine", "check", "--strict", *(str(p) for p in sorted(dist.iterdir())))
    session.run("python", "scripts/check_dist.py", str(dist))


@nox.session(python=OLDEST)
def lowest(session: nox.Session) -> None:
    """The unit suite against the lowest versions pyproject.toml declares (uv lowest-direct).

    The runtime dependencies and the test tools are installed at their floors,
    and the offline demo runs too. langchain-tests (the standard unit suite) and
    langchain need a newer langchain-core than ours, so they stay out, and
    test_standard.py and test_realtime_standard.py with them.
    """
    session.install("uv>=0.5")
    test_core = PYPROJECT["project"]["optional-dependencies"]["test-core"]
    tools = [r for r in test_core if not r.startswith(("langchain-tests", "langchain>"))]
    # uv installs into this session's virtualenv (nox sets VIRTUAL_ENV)
    session.run("uv", "pip", "install", "--resolution", "lowest-direct", "-e", ".", *tools)
    session.run("uv", "pip", "freeze")
    session.run(
        "python", "-m", "pytest", "-q", "tests/unit_tests",
        "--ignore", "tests/unit_tests/test_standard.py",
        "--ignore", "tests/unit_tests/test_realtime_standard.py",
        "tests/integration_tests/test_recorded_service.py",  # replays (the openai floor)
        "tests/integration_tests/test_faults.py",  # retries resend a streamed body (3.19)
        "tests/integration_tests/test_realtime.py",  # the SDK's realtime connection (3.19)
        "tests/integration_tests/test_realtime_live.py",
        *session.posargs,
    )  # fmt: skip
    with session.chdir(session.create_tmp()):  # and the offline demo, which needs vcrpy's replay
        session.run("langchain-azure-audio", "demo", "--offline")


@nox.session
def mutation(session: nox.Session) -> None:
    """The scripted mutation check: each mutant must be killed by its tests (`-- --list`)."""
    session.install("-e", ".[test-core]")
    session.run("python", "scripts/mutation_check.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks against the raw openai SDK and langchain-openai (`-- --quick`: smoke run)."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/run_all.py", *session.posargs)


@nox.session
def ci(session: nox.Session) -> None:
    """Everything CI runs (.ci/run), inside this session's own virtualenv."""
    session.run("bash", str(ROOT / ".ci" / "run"), external=True)


if __name__ == "__main__":
    sys.exit("run the tasks with nox, e.g. `nox -s tests` (see the docstring)")
