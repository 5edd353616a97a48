"""Render chart specs to files offline: SVG (and PNG) through vl-convert, with no network."""

from __future__ import annotations

from typing import Any

try:
    import vl_convert as vlc
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "rendering charts needs the 'reports' extra: pip install 'understudy[reports]'"
    ) from missing


def to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to an SVG document (text), offline.

    Raises:
        ValueError: the spec is not valid Vega-Lite (vl-convert's message).
    """
    svg: str = vlc.vegalite_to_svg(spec)
    return svg


def to_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """Render a Vega-Lite spec to PNG bytes, offline, at ``scale`` times its pixel size."""
    png: bytes = vlc.vegalite_to_png(spec, scale=scale)
    return png
