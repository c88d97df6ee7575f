"""Check a built wheel and sdist, then install the wheel into a fresh venv and run it.

    python scripts/check_dist.py dist/      (run by `nox -s package`, after `python -m build`)

1. The wheel holds the package and its metadata only: no tests, no cassettes
   but the bundled demo session, the licence and `py.typed` present. The
   sdist holds the licence, README, pyproject.toml and the package.
2. A new virtual environment, in a temporary folder outside the checkout,
   gets the wheel. From another temporary folder, `langchain-azure-audio
   --version` must print the wheel's version, and `langchain-azure-audio demo`
   must replay the bundled session and write its two WAV files, with the
   package imported from that venv, not from the checkout.

Prints what it checked; exits non-zero listing every problem otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import venv
import wave
import zipfile
from email.parser import Parser
from pathlib import Path, PurePosixPath

PACKAGE = "langchain_azure_audio"
BUNDLED_DEMO = f"{PACKAGE}/_bundled/demo/"
CLI = "langchain-azure-audio"
SERVE_STATIC = f"{PACKAGE}/serve/static/"
SERVE_FILES = ("index.html", "app.js", "capture-worklet.js", "playback-worklet.js", "style.css")
ROOT = Path(__file__).resolve().parents[1]


def wheel_problems(names: list[str]) -> list[str]:
    """What is wrong with a wheel's file list (empty when nothing is)."""
    problems = []
    dist_info = [n for n in names if n.split("/")[0].endswith(".dist-info")]
    for name in names:
        top, parts = name.split("/")[0], PurePosixPath(name).parts
        if top != PACKAGE and not top.endswith(".dist-info"):
            problems.append(f"{name}: outside the package and its metadata")
        if "tests" in parts or "conftest.py" in parts or parts[-1].startswith("test_"):
            problems.append(f"{name}: a test file in the wheel")
        if name.startswith(f"{PACKAGE}/_bundled/") and not name.startswith(BUNDLED_DEMO):
            problems.append(f"{name}: bundled data other than the demo session")
        if "cassettes" in parts or (
            name.endswith(".json") and top == PACKAGE and not name.startswith(BUNDLED_DEMO)
        ):
            problems.append(f"{name}: a cassette other than the bundled demo session")
    required = {
        f"{PACKAGE}/__init__.py": f"{PACKAGE}/__init__.py" in names,
        f"{PACKAGE}/py.typed": f"{PACKAGE}/py.typed" in names,
        f"{BUNDLED_DEMO}session.json": f"{BUNDLED_DEMO}session.json" in names,
        **{f"{SERVE_STATIC}{n}": f"{SERVE_STATIC}{n}" in names for n in SERVE_FILES},
        "the licence (.dist-info/licenses/LICENSE)": any(
            n.endswith("/licenses/LICENSE") for n in dist_info
        ),
    }
    problems += [f"missing: {what}" for what, present in required.items() if not present]
    return problems


def sdist_problems(names: list[str]) -> list[str]:
    """What is missing from an sdist's file list."""
    root = names[0].split("/")[0]
    needed = ["LICENSE", "README.md", "pyproject.toml", f"{PACKAGE}/__init__.py"]
    needed.append(f"{PACKAGE}/py.typed")
    return [f"missing from the sdist: {n}" for n in needed if f"{root}/{n}" not in names]


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    print("  $", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def smoke_problems(wheel: Path, version: str) -> list[str]:
    """Install the wheel into a fresh venv and run the CLI from outside the checkout."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="wheel-smoke-") as tmp:
        env_dir, work = Path(tmp) / "venv", Path(tmp) / "elsewhere"
        work.mkdir()
        venv.create(env_dir, with_pip=True)
        bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
        # A clean environment: no Azure settings (the demo replays offline), nothing of
        # the checkout on sys.path, the venv first on PATH.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "PYTHON"))}
        env.pop("VIRTUAL_ENV", None)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
        steps = [
            [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
            [CLI, "--version"],
            [str(bin_dir / "python"), "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"],
            [CLI, "demo"],
        ]
        outputs = []
        for cmd in steps:
            done = _run(cmd, work, env)
            outputs.append(done.stdout)
            if done.returncode:
                return [f"`{' '.join(cmd)}` exited {done.returncode}:\n{done.stderr}"]
        _, shown, imported, demo = outputs
        print(f"  {shown.strip()}\n  imported from {imported.strip()}")
        print("  " + "\n  ".join(demo.strip().splitlines()[:3]) + "\n  ...")
        if version not in shown:
            problems.append(f"--version printed {shown.strip()!r}, not {version}")
        if not Path(imported.strip()).resolve().is_relative_to(env_dir.resolve()):
            problems.append(f"the package was imported from {imported.strip()}, not the venv")
        if ROOT in Path(imported.strip()).resolve().parents:
            problems.append("the package was imported from the checkout")
        for name in ("dog.wav", "analysis.wav"):
            path = work / name
            if not path.is_file():
                problems.append(f"the demo wrote no {name}")
                continue
            with wave.open(str(path)) as speech:
                seconds = speech.getnframes() / speech.getframerate()
            print(f"  {name}: {seconds:.1f} s of speech")
            if seconds <= 0:
                problems.append(f"{name} holds no audio")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the folder `python -m build` wrote to")
    parser.add_argument("--no-smoke", action="store_true", help="check the file lists only")
    args = parser.parse_args()

    wheels = sorted(args.dist.glob("*.whl"))
    sdists = sorted(args.dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {args.dist}, found {wheels + sdists}")
        return 1
    with zipfile.ZipFile(wheels[0]) as zf:
        names = zf.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(metadata_name).decode("utf-8"))
    with tarfile.open(sdists[0]) as tf:
        sdist_names = tf.getnames()
    version = str(metadata["Version"])
    print(f"{wheels[0].name}: {len(names)} files; {sdists[0].name}: {len(sdist_names)} files")

    problems = wheel_problems(names) + sdist_problems(sdist_names)
    if metadata.get("License-Expression") != "MIT":
        problems.append(f"wheel metadata License-Expression is {metadata['License-Expression']}")
    if not problems and not args.no_smoke:
        print(f"installing {wheels[0].name} into a fresh venv:")
        problems += smoke_problems(wheels[0], version)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("dist check:", "failed" if problems else "passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
