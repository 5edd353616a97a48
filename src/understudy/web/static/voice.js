// Voice calls in the browser. On the briefing page, Start call first asks for the microphone
// (and shows "Mic blocked" help when refused). On the call page, the microphone streams to
// /calls/TOKEN/audio as 16 kHz 16-bit PCM and the customer's voice plays as it arrives; a
// {"type": "clear"} message drops what is queued (the trainee talked over the customer).
// Captions, clock, Pause and End call are call.js's, over the call's JSON socket.
(() => {
  const $ = (id) => document.getElementById(id);
  const RATE = 16000;
  const micOptions = { audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } };

  function blocked() { const help = $("mic-blocked"); if (help) help.hidden = false; }

  const form = $("start-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      const picked = form.querySelector('input[name="mode"]:checked');
      const mode = picked ? picked.value : form.dataset.mode;
      if (mode !== "voice" || form.dataset.micOk) return;
      event.preventDefault();
      try {
        const stream = await navigator.mediaDevices.getUserMedia(micOptions);
        stream.getTracks().forEach((t) => t.stop());
        form.dataset.micOk = "1";
        form.submit();
      } catch (err) { blocked(); }
    });
    return;
  }

  const root = $("call");
  if (!root || root.dataset.mode !== "voice") return;
  const token = root.dataset.token;
  let ctx = null, socket = null, retry = 0, playAt = 0, finished = false;
  const playing = new Set();

  function micState(text, colour) { $("mic").textContent = text; $("mic").className = "chip " + (colour || ""); }
  function callOver() { return ["Ended", "Error"].includes($("status").textContent); }

  function clearAudio() {
    playing.forEach((source) => { try { source.stop(); } catch (err) { /* already stopped */ } });
    playing.clear();
    playAt = 0;
  }

  function play(data) {
    const pcm = new Int16Array(data);
    if (!pcm.length) return;
    const samples = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
    const buffer = ctx.createBuffer(1, samples.length, RATE);
    buffer.copyToChannel(samples, 0);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(ctx.destination);
    const at = Math.max(ctx.currentTime + 0.02, playAt);
    source.start(at);
    playAt = at + buffer.duration;
    playing.add(source);
    source.onended = () => playing.delete(source);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/calls/${token}/audio`);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => { retry = 0; micState("Microphone on", "green"); };
    socket.onmessage = (event) => {
      if (typeof event.data === "string") { if (JSON.parse(event.data).type === "clear") clearAudio(); }
      else play(event.data);
    };
    socket.onclose = () => {
      if (finished || callOver()) { micState("Microphone off"); return; }
      micState("Reconnecting…", "amber");
      retry = Math.min(retry + 1, 5);
      setTimeout(() => { if (!callOver()) connect(); else micState("Microphone off"); }, 300 * retry);
    };
  }

  async function start() {
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia(micOptions); }
    catch (err) { micState("Mic blocked", "red"); blocked(); return; }
    ctx = new AudioContext({ sampleRate: RATE });
    if (ctx.state === "suspended") {
      $("sound").hidden = false;
      $("sound").addEventListener("click", () => { ctx.resume(); $("sound").hidden = true; });
    }
    await ctx.audioWorklet.addModule("/static/mic-worklet.js");
    const capture = new AudioWorkletNode(ctx, "pcm-capture");
    capture.port.onmessage = (event) => {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(event.data);
    };
    const mute = ctx.createGain();
    mute.gain.value = 0;
    ctx.createMediaStreamSource(stream).connect(capture);
    capture.connect(mute).connect(ctx.destination);
    connect();
    new MutationObserver(() => {
      if (callOver() && !finished) {
        finished = true;
        setTimeout(() => stream.getTracks().forEach((t) => t.stop()), 4000);
      }
    }).observe($("status"), { childList: true, characterData: true, subtree: true });
  }

  window.understudyVoice = { reconnect: () => socket && socket.close(), playing: () => playing.size };
  start();
})();
