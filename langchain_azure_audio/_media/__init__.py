"""Audio bytes: decoding any common file, encoding, timestamps, pauses, strict base64.

`decode` (PyAV: probe, streamed pcm16 on the recording's timeline, transcoding),
`encode` (pcm16 to MP3), `timeline` (decoded frames placed by their timestamps),
`pauses` (cutting streamed pcm16 at pauses), `strict_base64`. Knows audio and
nothing of Azure or LangChain: imports PyAV, numpy and `errors` only.
"""
