"""`personas preview ID --audio FILE`: the persona's sample lines as sound in its voice."""

from __future__ import annotations

from pathlib import Path

import soundfile as sf
from typer.testing import CliRunner

import understudy.cli.personas  # noqa: F401  (registers the commands)
from understudy.cli.apps import app


def test_preview_speaks_the_three_lines_into_a_file(tmp_path: Path) -> None:
    out = tmp_path / "impatient.ogg"
    result = CliRunner().invoke(app, ["personas", "preview", "impatient", "--audio", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Spoken into {out}" in result.output.replace("\n", "")
    samples, rate = sf.read(out)
    assert rate == 24_000 and len(samples) / rate > 3, "three lines take a few seconds"
    wav = tmp_path / "impatient.wav"
    assert (
        CliRunner().invoke(app, ["personas", "preview", "impatient", "--audio", str(wav)]).exit_code
        == 0
    )
    assert sf.info(wav).samplerate == 22_050


def test_an_unknown_voice_fails_listing_the_installed_ones(tmp_path: Path) -> None:
    persona = tmp_path / "robot.yaml"
    persona.write_text("id: robot\nname: Robot\nvoice: klingon\n")
    out = tmp_path / "robot.wav"
    result = CliRunner().invoke(app, ["personas", "preview", str(persona), "--audio", str(out)])
    assert result.exit_code == 2
    assert "Unknown voice 'klingon'" in result.output and "en-us" in result.output
    assert not out.exists()


def test_an_unsupported_file_type_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["personas", "preview", "impatient", "--audio", str(tmp_path / "x.mp3")]
    )
    assert result.exit_code == 2 and ".wav, .flac, .ogg" in result.output


def test_web_preview_offers_the_lines_as_audio() -> None:
    import io

    from understudy.web import create_app
    from web_helpers import signed_in

    client = signed_in(create_app())
    page = client.get("/personas/impatient/preview")
    assert 'src="/personas/impatient/preview.ogg?seed=0"' in page.text
    audio = client.get("/personas/impatient/preview.ogg?seed=0")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/ogg"
    samples, rate = sf.read(io.BytesIO(audio.content))
    assert len(samples) / rate > 3
