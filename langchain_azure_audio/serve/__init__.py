"""`langchain-azure-audio serve`: talk to the model from a browser (the `serve` extra).

A local web app: one static page that captures the microphone with an
AudioWorklet (24 kHz mono pcm16) and plays the answer with another, over one
WebSocket to this server. Two modes: realtime (`realtime_session`: every frame
streamed to a live session of `AzureChatOpenAIRealtime`, Azure's voice
detection taking the turns, barge-in truncated at what the page played, tools)
and chat completions (`session`: turns answered by `AzureChatOpenAIAudio.astream()`,
push-to-talk or voice-activity turns, barge-in). Voice and deployment on the
page; offline, the bundled synthetic demo answer. See docs/serve.md.
"""

from langchain_azure_audio.serve.app import bind, create_app, run, url_of
from langchain_azure_audio.serve.realtime_session import RealtimeConversation
from langchain_azure_audio.serve.session import Conversation, ServeOptions

__all__ = ["Conversation", "RealtimeConversation", "ServeOptions", "bind", "create_app", "run",
           "url_of"]  # fmt: skip
