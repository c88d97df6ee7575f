"""A recording cut into pieces the service takes, written once to a work folder.

`prepare` decodes the recording as a stream (never the whole file in memory),
cuts it at pauses (`_media.pauses.split_at_pauses`) and writes each piece as 24 kHz
mono MP3 at 64 kbit/s (`_media.encode`: a sixth of the WAV's size, to upload and to
hold in memory while a request is in flight), then a manifest. A rerun with
the same file and settings reuses the manifest and pieces; a run killed while
cutting cuts again (that is local work, no request). A recording the service
takes as it is (WAV or MP3, one piece, within the input limit) is sent
unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel

from langchain_azure_audio._media.decode import iter_pcm16, probe
from langchain_azure_audio._media.encode import mp3_from_pcm16
from langchain_azure_audio._media.pauses import split_at_pauses
from langchain_azure_audio.audio import (
    MAX_INPUT_AUDIO_BYTES,
    PCM16_SAMPLE_RATE,
    atomic_write_bytes,
    pcm16_to_wav,
)

MANIFEST_VERSION: Final = 3  # 2: pieces are MP3 (or WAV, `piece_format`); 3: islands
PieceFormat = Literal["mp3", "wav"]


class Piece(BaseModel):
    """One piece of the recording, as sent (or not) to the service."""

    index: int
    start: float
    """Seconds from the start of the recording (the overlap included)."""
    end: float
    silent: bool
    overlap: float = 0.0
    """Seconds at the start repeated from the previous piece (no pause found to cut at)."""
    file: str
    """The audio sent for this piece: an MP3 in the work folder, or the recording itself."""
    islands: list[tuple[float, float]] = []
    """Where there is sound in the piece (seconds from the start of the recording): what
    the words are placed on (`long_audio.timing`)."""


class Manifest(BaseModel):
    """What `prepare` made of a recording; the key to resuming."""

    version: int = MANIFEST_VERSION
    source: str
    sha256: str
    max_seconds: float
    piece_format: PieceFormat = "mp3"
    duration: float
    container: str
    codec: str
    transcoded: bool
    """True when the pieces were decoded from the recording and encoded (not its bytes)."""
    pieces: list[Piece]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def recording_folder(workdir: Path, sha256: str) -> Path:
    """Where one recording's pieces and results live inside a shared work folder."""
    return workdir / sha256[:16]


def prepare(
    path: Path,
    workdir: Path,
    *,
    max_seconds: float,
    piece_format: PieceFormat = "mp3",
    recut: bool = False,
) -> Manifest:
    """Cut `path` into pieces in `workdir`, or reuse the manifest a previous run wrote
    for the same file and settings (`recut=True` cuts again, e.g. when pieces still
    needed were deleted)."""
    info = probe(path)  # a typed error names the file when it is not audio
    sha = file_sha256(path)
    folder = recording_folder(workdir, sha)
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        found = Manifest.model_validate_json(manifest_path.read_text())
        same = (found.version, found.max_seconds, found.piece_format)
        if not recut and same == (MANIFEST_VERSION, max_seconds, piece_format):
            return found
    pieces: list[Piece] = []
    rate = PCM16_SAMPLE_RATE
    for cut in split_at_pauses(iter_pcm16(path, sample_rate=rate), sample_rate=rate,
                               max_seconds=max_seconds):  # fmt: skip
        target = folder / "pieces" / f"{cut.index:04d}.{piece_format}"
        if not cut.silent and piece_format == "wav":  # lossless, six times the size
            atomic_write_bytes(target, pcm16_to_wav(cut.pcm, sample_rate=rate))
        elif not cut.silent:
            second = 2 * rate  # fed a second at a time: no frame the size of the piece
            frames = (cut.pcm[i : i + second] for i in range(0, len(cut.pcm), second))
            encoded = mp3_from_pcm16(frames, sample_rate=rate)
            assert encoded is not None  # no size limit asked for
            atomic_write_bytes(target, encoded[0])
        pieces.append(
            Piece(index=cut.index, start=cut.start / rate, end=cut.end / rate,
                  silent=cut.silent, overlap=cut.overlap / rate, file=str(target),
                  islands=[(a / rate, b / rate) for a, b in cut.islands])
        )  # fmt: skip
    duration = pieces[-1].end if pieces else 0.0
    as_is = (
        info.service_format is not None
        and info.size <= MAX_INPUT_AUDIO_BYTES
        and len(pieces) == 1
        and not pieces[0].silent
    )
    if as_is:  # the service takes this file as it is: send its own bytes, unchanged
        Path(pieces[0].file).unlink()
        pieces[0] = pieces[0].model_copy(update={"file": str(path.resolve())})
    manifest = Manifest(
        source=str(path), sha256=sha, max_seconds=max_seconds, piece_format=piece_format,
        duration=duration,
        container=info.container, codec=info.codec, transcoded=not as_is, pieces=pieces,
    )  # fmt: skip
    atomic_write_bytes(manifest_path, manifest.model_dump_json(indent=1).encode())
    return manifest


def drop_pieces(manifest: Manifest) -> None:
    """Delete the cut pieces once every piece has its result (the results stay)."""
    for piece in manifest.pieces:
        file = Path(piece.file)
        if file.parent.name == "pieces":
            file.unlink(missing_ok=True)
