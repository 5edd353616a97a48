"""A voice call's recording written as it goes, so a server that dies mid-call loses nothing.

While a call runs, each second of its audio (stereo 16-bit PCM at ``SAMPLE_RATE`` Hz, trainee
left, customer right) is appended to ``$UNDERSTUDY_HOME/recordings-in-progress/attempt-ID.pcm``
and each timed turn to ``attempt-ID.turns.jsonl`` beside it, written through to the operating
system at once. When a connection ends, the call's audio is compressed into the attempt's
recording as before (``storage.recordings``); when the call ends, the spool files are removed.

If the server process is killed, the files stay: ``recover_recordings`` (run when the web app
starts) compresses each into its attempt's recording with its turn times, then removes it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from understudy.settings import home
from understudy.storage.recordings import RecordingStore, TurnTiming

logger = logging.getLogger(__name__)

SPOOL_FOLDER = "recordings-in-progress"
"""The spool's folder, under ``$UNDERSTUDY_HOME``."""


def spool_dir() -> Path:
    """The folder of the recordings in progress (created when needed)."""
    return home() / SPOOL_FOLDER


class RecordingSpool:
    """The audio and turn times of one attempt's call, on disk as they come.

    Args:
        attempt_id: the attempt recorded.
        folder: where the files go; ``spool_dir()`` when None.
    """

    def __init__(self, attempt_id: int, folder: Path | None = None) -> None:
        self.attempt_id = attempt_id
        self.folder = folder or spool_dir()
        self.audio_path = self.folder / f"attempt-{attempt_id}.pcm"
        self.turns_path = self.folder / f"attempt-{attempt_id}.turns.jsonl"

    def append_audio(self, pcm: bytes) -> None:
        """Append interleaved stereo 16-bit PCM (written through before returning)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.audio_path.open("ab") as out:
            out.write(pcm)

    def add_turn(self, turn: TurnTiming) -> None:
        """Note a turn's times (a later line for the same turn and role replaces it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.turns_path.open("a", encoding="utf-8") as out:
            out.write(turn.model_dump_json() + "\n")

    def audio(self) -> bytes:
        """The PCM written so far (whole stereo frames only)."""
        data = self.audio_path.read_bytes() if self.audio_path.exists() else b""
        return data[: len(data) - len(data) % 4]

    def turns(self) -> list[TurnTiming]:
        """The turn times written so far, by turn (the last line of a turn wins)."""
        kept: dict[tuple[int, str], TurnTiming] = {}
        if self.turns_path.exists():
            for line in self.turns_path.read_text(encoding="utf-8").splitlines():
                try:
                    turn = TurnTiming.model_validate(json.loads(line))
                except ValueError:  # a line cut short by the crash
                    continue
                kept[(turn.index, turn.role)] = turn
        return sorted(kept.values(), key=lambda t: (t.index, t.start_s))

    def remove(self) -> None:
        """Delete the files (the call ended and its recording is stored)."""
        self.audio_path.unlink(missing_ok=True)
        self.turns_path.unlink(missing_ok=True)


def recover_recordings(store: RecordingStore | None = None) -> list[int]:
    """Store the recordings left by calls whose server died, and remove their spool files.

    Returns:
        The attempts whose audio was recovered, in order.
    """
    from understudy.voice.call import AUDIO_FORMAT, encode_ogg
    from understudy.voice.serializer import SAMPLE_RATE

    folder = spool_dir()
    if not folder.is_dir():
        return []
    store = store or RecordingStore()
    recovered: list[int] = []
    for path in sorted(folder.glob("attempt-*.pcm")):
        try:
            attempt_id = int(path.stem.removeprefix("attempt-"))
        except ValueError:
            continue
        spool = RecordingSpool(attempt_id, folder)
        pcm = spool.audio()
        try:
            if pcm:
                store.save_audio(
                    attempt_id,
                    encode_ogg(pcm),
                    audio_format=AUDIO_FORMAT,
                    sample_rate=SAMPLE_RATE,
                    channels=2,
                    seconds=len(pcm) / 4 / SAMPLE_RATE,
                    turns=spool.turns(),
                )
                recovered.append(attempt_id)
        except Exception:  # an attempt deleted since: nothing to attach the audio to
            logger.exception("could not recover the recording of attempt %s", attempt_id)
        spool.remove()
    return recovered
