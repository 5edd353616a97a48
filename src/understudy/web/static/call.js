// The live practice call: one WebSocket, reconnected on drop; the server replays the call so far.
(() => {
  const root = document.getElementById("call");
  if (!root) return;
  const token = root.dataset.token;
  const $ = (id) => document.getElementById(id);
  const labels = { connecting: "Connecting…", in_session: "In session", paused: "Paused", ended: "Ended", error: "Error" };
  const shown = new Set();      // transcript indexes already on screen
  const pending = [];           // replies typed while disconnected, resent on reconnect
  let socket = null, status = "initializing", retry = 0, counter = 0;

  const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

  function setStatus(next) {
    status = next;
    $("status").textContent = labels[next] || "Initializing…";
    $("status").className = "chip " + ({ in_session: "green", paused: "amber", error: "red" }[next] || "");
    const live = next === "in_session";
    $("reply").disabled = !live; $("send").disabled = !live;
    $("pause").disabled = !(live || next === "paused");
    $("pause").textContent = next === "paused" ? "Continue" : "Pause";
    $("end").disabled = !(live || next === "paused" || next === "connecting");
  }

  function addTurn(m) {
    if (shown.has(m.index)) return;
    shown.add(m.index);
    const div = document.createElement("div");
    div.className = "turn " + m.role;
    div.id = "turn-" + m.index;
    const who = m.role === "customer" ? "Customer" : "You";
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `${m.index}. ${who} · ${clock(m.at_s)}` + (m.mood ? ` · ${m.mood}` : "");
    const text = document.createElement("div");
    text.textContent = m.text;
    div.append(meta, text);
    $("chat").append(div);
    $("chat").scrollTop = $("chat").scrollHeight;
  }

  function handle(msg) {
    if (msg.type === "message") { addTurn(msg); if (status === "connecting" || status === "initializing") setStatus("in_session"); }
    else if (msg.type === "mood" && $("mood")) { $("mood").textContent = msg.mood; }
    else if (msg.type === "clock") {
      $("elapsed").textContent = clock(msg.elapsed_s);
      $("remaining").textContent = clock(msg.remaining_s);
      if (!["ended", "error"].includes(status) || msg.status === "ended") setStatus(msg.status);
    }
    else if (msg.type === "ended") {
      setStatus(msg.reason === "error" ? "error" : "ended");
      if (msg.reason === "error") { $("issue").hidden = false; return; }
      $("done").hidden = false;
      $("done-text").textContent = `The call ended (${msg.reason.replace("_", " ")}).`;
      if (msg.attempt_id) $("attempt-link").href = `/attempts/${msg.attempt_id}`;
    }
    else if (msg.type === "graded") { $("attempt-link").href = `/attempts/${msg.attempt_id}`; }
    else if (msg.type === "error") { setStatus("error"); $("issue").hidden = false; }
    else if (msg.type === "gone") { $("issue").hidden = false; setStatus("error"); }
  }

  function send(obj) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(obj)); return true; }
    return false;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/calls/${token}/ws`);
    socket.onopen = () => {
      retry = 0;
      if (status === "initializing") setStatus("connecting");
      while (pending.length) send(pending.shift());
    };
    socket.onmessage = (event) => handle(JSON.parse(event.data));
    socket.onclose = () => {
      if (["ended", "error"].includes(status)) return;
      $("status").textContent = "Connecting…";
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 300 * retry);
    };
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply").value.trim();
    if (!text) return;
    const msg = { type: "say", text, id: `${Date.now()}-${counter++}` };
    if (!send(msg)) pending.push(msg);
    $("reply").value = "";
  });
  $("pause").addEventListener("click", () => send({ type: status === "paused" ? "continue" : "pause" }));
  $("confirm-end").addEventListener("click", () => { send({ type: "end" }); $("end-dialog").close(); });
  window.understudyCall = { reconnect: () => socket && socket.close() };  // used by tests
  setStatus("initializing");
  connect();
})();
