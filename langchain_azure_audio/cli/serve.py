"""`langchain-azure-audio serve`: the settings check, then the web app (the `serve` extra).

Live when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are set,
offline (the bundled synthetic demo answer only) when neither is; one of them
alone is a mistake, named at once, as for `demo`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import click

from langchain_azure_audio.cli.checks import LIVE_SETTINGS, missing_settings

EXTRA_HINT = "pip install 'langchain-azure-audio[serve]'"


def run_serve(
    *,
    host: str,
    port: int,
    deployments: tuple[str, ...],
    voice: str,
    live: bool | None,
    echo: Callable[..., None],
) -> None:
    missing = missing_settings()
    offline = live is False or (live is None and len(missing) == len(LIVE_SETTINGS))
    if not offline and missing:
        present = [name for name in LIVE_SETTINGS if name not in missing]
        why = "--live needs" if live else f"{present[0]} is set but"
        raise click.ClickException(
            f"{why} {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: set "
            "it to talk to Azure, or pass --offline for the bundled synthetic demo answer."
        )
    try:
        from langchain_azure_audio.serve import ServeOptions, bind, run, url_of
        from langchain_azure_audio.serve.session import default_model
    except ImportError as exc:
        raise click.ClickException(
            f"`serve` needs the serve extra ({exc.name} is not installed): {EXTRA_HINT}"
        ) from exc
    if not offline:
        deployments = deployments or (os.environ["AZURE_OPENAI_DEPLOYMENT_NAME"].strip(),)
        default_model(deployments[0], voice)  # bad settings stop here, before any page opens
    options = ServeOptions(offline=offline, deployments=tuple(dict.fromkeys(deployments)),
                           voice=voice)  # fmt: skip
    sock = bind(host, port)
    url = url_of(sock)
    mode = "OFFLINE (bundled SYNTHETIC demo answer only)" if offline else "live"
    echo(f"Serving {mode} on {url}  (Ctrl-C to stop)")
    if not _loopback(host):
        echo(f"warning: listening on {host}: anyone who can reach it can talk to your "
             "deployment through this server.", err=True)  # fmt: skip
    run(options, sock)


def _loopback(host: str) -> bool:
    from langchain_azure_audio.serve.app import is_loopback

    return is_loopback(host)
