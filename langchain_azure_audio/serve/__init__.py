"""`langchain-azure-audio serve`: talk to the model from a browser (the `serve` extra).

A local web app: one static page that captures the microphone with an
AudioWorklet (24 kHz mono pcm16) and plays the answer with another, over one
WebSocket to this server, which streams the answer from
`AzureChatOpenAIAudio.astream()`. Push-to-talk or voice-activity turns,
barge-in, voice and deployment on the page; offline, the bundled synthetic
demo answer. See docs/serve.md.
"""

from langchain_azure_audio.serve.app import bind, create_app, run, url_of
from langchain_azure_audio.serve.session import Conversation, ServeOptions

__all__ = ["Conversation", "ServeOptions", "bind", "create_app", "run", "url_of"]
