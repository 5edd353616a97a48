"""The flow pages open only files inside the flow folders, whatever path they are sent.

A flow is addressed by its place in ``examples/flows/``, ``flows/`` or ``home/`` (the
workspace's flows folder), see ``understudy.web.flow_files``. Here a secret flow file lies
outside every flow folder, reachable through ``..``, an absolute path, a symbolic link to the
file and a symbolic link to its folder. Every route that takes a flow address is sent those and
a seeded, bounded hypothesis class of addresses built from hostile parts: none answers with a
server error, none shows the secret flow, and an audit hook checks the secret file is never
opened by the process. "Add a flow file" refuses references that leave the workspace folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from understudy.web import create_app
from web_helpers import signed_in

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
FUZZ_EXAMPLES = int(os.environ.get("UNDERSTUDY_FUZZ_EXAMPLES", "40"))
"""Examples per fuzz test (as in tests/test_loader_fuzz.py)."""

SECRET_NAME = "Secret flow outside every folder"

_OPENED: list[str] = []
_WATCHING: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _WATCHING and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def world(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, understudy_home: Path
) -> Iterator[dict[str, Any]]:
    """A server folder with examples/flows, a workspace with links out, and a secret flow."""
    server = tmp_path / "server"
    shutil.copytree(REPO / "examples" / "flows", server / "examples" / "flows")
    shutil.copytree(REPO / "examples" / "scenarios", server / "examples" / "scenarios")
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.yaml"
    text = (REPO / "examples/flows/refund.yaml").read_text()
    name_line = next(line for line in text.splitlines() if line.startswith("name:"))
    text = text.replace(name_line, f"name: {SECRET_NAME}").replace("default_scenario:", "# ")
    secret.write_text(text)
    flows = understudy_home / "flows"
    flows.mkdir(parents=True)
    (flows / "escape.yaml").symlink_to(secret)
    (flows / "outdir").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(server)
    client = signed_in(create_app(), raise_server_exceptions=False)
    _OPENED.clear()
    _WATCHING.append(True)
    try:
        yield {"client": client, "secret": secret, "server": server, "outside": outside}
    finally:
        _WATCHING.clear()


def _secret_opened(secret: Path) -> bool:
    real = os.path.realpath(secret)
    return any(os.path.realpath(p) == real for p in _OPENED if "\0" not in p)


def _hostile_refs(world: dict[str, Any]) -> list[str]:
    secret, server, outside = world["secret"], world["server"], world["outside"]
    up = os.path.relpath(secret, server / "examples" / "flows")
    return [
        str(secret),
        f"examples/flows/{up}",
        f"flows/../{os.path.relpath(secret, server)}",
        f"home/../../outside/{secret.name}",
        "home/escape.yaml",
        "home/outdir/secret.yaml",
        f"{outside}/../outside/secret.yaml",
        "../outside/secret.yaml",
        "examples/flows/../../../outside/secret.yaml",
        "examples/flows\\..\\..\\secret.yaml",
        "examples/flows/refund.yaml\0.txt",
        "/etc/passwd",
        "/proc/self/environ",
        "~/secret.yaml",
        "home/",
        "examples/flows",
        "examples/flows/",
        "a" * 5000,
        "",
    ]


def _probe(client: TestClient, ref: str) -> list[Any]:
    return [
        client.get("/flow", params={"path": ref}),
        client.get("/flow/history", params={"path": ref}),
        client.get("/flow/charts", params={"path": ref}),
        client.get("/flow/chart.svg", params={"path": ref}),
        client.post("/flow/stress", data={"path": ref, "persona": "elderly", "n": "10"}),
        client.post("/flow/chat", data={"path": ref}),
    ]


def test_every_flow_route_refuses_paths_outside_the_flow_folders(world: dict[str, Any]) -> None:
    client = world["client"]
    for ref in _hostile_refs(world):
        for response in _probe(client, ref):
            assert SECRET_NAME not in response.text
            if ref == "" and response.status_code == 422:
                continue  # an empty form field is refused as missing
            assert response.status_code == 404, (ref[:80], response.request.url.path)
            assert "no flow" in response.text and "flow folders" in response.text
    assert not _secret_opened(world["secret"]), "the secret file was opened"


def test_the_flow_list_shows_the_folders_and_leaves_out_links_that_escape(
    world: dict[str, Any],
) -> None:
    page = world["client"].get("/flows").text
    assert "examples/flows/refund.yaml" in page
    assert SECRET_NAME not in page and "home/escape.yaml" not in page
    assert world["client"].get("/flow", params={"path": "examples/flows/refund.yaml"}).is_success


def test_an_allow_listed_file_outside_the_folders_opens(
    world: dict[str, Any], understudy_home: Path
) -> None:
    (understudy_home / "web-flows.txt").write_text(f"{world['secret']}\n")
    client = world["client"]
    assert SECRET_NAME in client.get("/flows").text
    assert client.get("/flow", params={"path": str(world["secret"])}).status_code == 200
    via_link = client.get("/flow", params={"path": "home/escape.yaml"})
    assert via_link.status_code == 404, "only the listed path opens it, not a link to it"


PARTS = st.sampled_from(
    [
        "..",
        ".",
        "",
        "examples",
        "flows",
        "home",
        "outside",
        "outdir",
        "escape.yaml",
        "secret.yaml",
        "refund.yaml",
        "~",
        "%2e%2e",
        "\\..",
        "\0",
        "/",
        "é",
    ]
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    absolute=st.booleans(),
    parts=st.lists(PARTS, min_size=1, max_size=8),
)
def test_any_path_built_from_hostile_parts_never_reaches_the_secret(
    world: dict[str, Any], absolute: bool, parts: list[str]
) -> None:
    ref = ("/" if absolute else "") + "/".join(parts)
    client = world["client"]
    page = client.get("/flow", params={"path": ref})
    assert page.status_code in (200, 404), (ref, page.status_code)
    assert SECRET_NAME not in page.text
    if page.status_code == 200:
        root = os.path.realpath(world["server"] / "examples" / "flows")
        assert os.path.realpath(world["server"] / ref).startswith(root + os.sep), ref
    else:
        for response in _probe(client, ref)[1:]:
            assert response.status_code == 404, (ref, response.request.url.path)
    assert not _secret_opened(world["secret"]), ref


def _upload(client: TestClient, name: str, text: str) -> Any:
    files = {"file": (name, text.encode(), "application/x-yaml")}
    return client.post("/flows/add", files=files, follow_redirects=False)


def test_an_uploaded_flow_cannot_name_files_outside_the_workspace(
    world: dict[str, Any], understudy_home: Path
) -> None:
    client = world["client"]
    base = (REPO / "examples/flows/refund.yaml").read_text()
    line = next(x for x in base.splitlines() if x.startswith("default_scenario:"))
    other = understudy_home / "workspaces" / "acme" / "scenarios" / "theirs.yaml"
    other.parent.mkdir(parents=True)
    other.write_text((REPO / "examples/scenarios/refund-crystal-minh.yaml").read_text())
    hostile = (
        str(world["secret"]),
        "../../outside/secret.yaml",
        "outdir/secret.yaml",
        "../workspaces/acme/scenarios/theirs.yaml",  # another workspace, under the default's home
        "../config.yaml",
    )
    for reference in hostile:
        for field in ("default_scenario", "intents_from"):
            value = reference if field == "default_scenario" else f"[{reference!r}]"
            text = base.replace(line, f"{field}: {value}")
            response = _upload(client, "sneaky.yaml", text)
            assert response.status_code == 422, (reference, field, response.text[:300])
            assert "outside your workspace&#39;s flows and scenarios folders" in response.text
            assert field in response.text
            assert not (understudy_home / "flows" / "sneaky.yaml").exists()
    for name in ("../../evil.txt", "..yaml", "a b.yaml", ".yaml", "x.yaml\0"):
        refused = _upload(client, name, base.replace(line, ""))
        assert refused.status_code == 400, name
    assert not _secret_opened(world["secret"])
    assert sorted(p.name for p in (understudy_home / "flows").iterdir()) == [
        "escape.yaml",
        "outdir",
    ]


def test_an_uploaded_flow_may_use_a_scenario_of_the_workspace(
    world: dict[str, Any], understudy_home: Path
) -> None:
    scenarios = understudy_home / "scenarios"
    shutil.copytree(REPO / "examples" / "scenarios", scenarios)
    text = (REPO / "examples/flows/refund.yaml").read_text()
    response = _upload(world["client"], "../evil/refund.yaml", text)
    assert response.status_code == 303, response.text[:300]
    assert response.headers["location"] == "/flow?path=home/refund.yaml"
    assert (understudy_home / "flows" / "refund.yaml").read_text() == text
    too_big = _upload(world["client"], "big.yaml", "# " + "x" * (1024 * 1024 + 10))
    assert too_big.status_code == 400 and "larger than" in too_big.text
