"""`azure_endpoint` as pasted by a user, normalised to what the `openai` SDK expects.

People copy endpoints from the Azure portal, from Foundry's code samples or
from a request log, so `azure_endpoint` often arrives with the request path
still on it. The SDK appends `/openai/deployments/<name>/chat/completions`
itself, so such a paste would otherwise go to the network doubled.

* the resource root (`https://<resource>.openai.azure.com`) is kept;
* the v1 API base (`https://<resource>.openai.azure.com/openai/v1`) is kept;
* a classic request URL (`.../openai/deployments/<name>/chat/completions?api-version=...`,
  or any other path under `/openai/`) becomes the resource root;
* a v1 request URL (`.../openai/v1/chat/completions`) becomes `.../openai/v1`;
* any other path (an API gateway's prefix, say) is kept as given;
* what cannot be an endpoint (no `https://`, no host, a query string or
  fragment on an unknown path) is refused with the fix.

Pure string handling: nothing is contacted.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from langchain_azure_audio.errors import AzureAudioConfigError

V1_PATH: Final = "/openai/v1"
_EXAMPLE: Final = "'https://<resource>.openai.azure.com'"


def normalize_endpoint(url: str) -> str:
    """The endpoint the SDK should be given for a pasted `azure_endpoint`.

    Raises:
        AzureAudioConfigError: `url` cannot be an Azure OpenAI endpoint.
    """
    text = url.strip() if isinstance(url, str) else url
    if not isinstance(text, str) or not text.lower().startswith(("https://", "http://")):
        raise AzureAudioConfigError(
            f"azure_endpoint {url!r} is not a URL; use {_EXAMPLE} (env AZURE_OPENAI_ENDPOINT)."
        )
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise AzureAudioConfigError(
            f"azure_endpoint {url!r} is not a valid URL ({exc}); use {_EXAMPLE}."
        ) from exc
    if not parts.hostname:
        raise AzureAudioConfigError(f"azure_endpoint {url!r} has no host name; use {_EXAMPLE}.")
    root = f"{parts.scheme.lower()}://{parts.netloc}"
    path = parts.path.rstrip("/")
    if path == V1_PATH or path.startswith(V1_PATH + "/"):
        return root + V1_PATH
    if path == "/openai" or path.startswith("/openai/"):
        return root
    if parts.query or parts.fragment:
        raise AzureAudioConfigError(
            f"azure_endpoint {url!r} carries a query string or fragment; an endpoint is the "
            f"resource's base URL only, e.g. {root!r}. Pass the api-version as api_version "
            "(env OPENAI_API_VERSION)."
        )
    return root + path
