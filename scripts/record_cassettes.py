"""Re-record the standard-suite cassettes (cassettes/standard/), then check them.

    python scripts/record_cassettes.py              # live when Azure settings are set
    python scripts/record_cassettes.py --synthetic  # against the synthetic service

Live needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME (and
AZURE_OPENAI_API_KEY, or an Entra ID sign-in for keyless auth); optionally
AZURE_OPENAI_SECOND_DEPLOYMENT_NAME for the model-override tests. Secrets are
scrubbed at record time (langchain_azure_audio._azure.replay.scrubbers). Each new
cassette is stamped with its provenance, and the hygiene tests run at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STANDARD = ROOT / "cassettes" / "standard"
LIVE_SETTINGS = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT_NAME")


def provenance(mode: str) -> dict[str, object]:
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    if mode == "live":
        return {
            "provenance": "recorded",
            "recorded_live": True,
            "recorded_at": today,
            "recorder": "scripts/record_cassettes.py",
            "scrubbed": "at record time: request headers dropped (api-key, Authorization), "
            "host and deployment rewritten to placeholders, response headers reduced to "
            "content-type/retry-after/x-ms-region",
        }
    return {
        "provenance": "synthetic",
        "recorded_live": False,
        "generator": "scripts/record_cassettes.py --synthetic (scripts/synthetic_service.py)",
        "generated_at": today,
        "note": "the standard suite run against the in-process synthetic service, not Azure",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true", help="do not call Azure")
    args = parser.parse_args()
    live = not args.synthetic
    if live and not all(os.environ.get(name) for name in LIVE_SETTINGS):
        print(f"Set {' and '.join(LIVE_SETTINGS)} to record live, or pass --synthetic.")
        return 2
    mode = "live" if live else "synthetic"
    started = time.time()
    pytest_args = [sys.executable, "-m", "pytest", "tests/integration_tests/test_standard.py",
                   "-q", "-p", "no:cacheprovider", "--benchmark-disable"]  # fmt: skip
    if live:
        pytest_args.append("--force-enable-socket")
    run = subprocess.run(pytest_args, cwd=ROOT, env={**os.environ, "LCAA_CASSETTE_MODE": mode})
    stamped = 0
    for path in sorted(STANDARD.glob("*.json")):
        if path.stat().st_mtime >= started:
            cassette = json.loads(path.read_text())
            cassette["metadata"] = provenance(mode)
            path.write_text(json.dumps(cassette, indent=1) + "\n")
            stamped += 1
    print(f"{stamped} cassettes recorded ({mode}) in {STANDARD.relative_to(ROOT)}")
    hygiene = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/unit_tests/test_cassette_hygiene.py", "-q"],
        cwd=ROOT,
    )
    return run.returncode or hygiene.returncode


if __name__ == "__main__":
    sys.exit(main())
