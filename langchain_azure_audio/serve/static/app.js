// The page: microphone -> pcm16 over one WebSocket; answers -> the playback worklet.
// No build step. `window.lcaa` exposes the state the tests (and curious users) read.
"use strict";

const RATE = 24000;
const FRAME_MS = 20; // the capture worklet's frames
const START_FRAMES = 3; // 60 ms above the threshold starts speech
const END_FRAMES = 40; // 800 ms below it ends the turn (hands-free)
const PREROLL_FRAMES = 15; // 300 ms kept before speech starts, so no word loses its onset
const THRESHOLD = 0.02; // frame RMS (full scale 1.0) that counts as speech

const $ = (id) => document.getElementById(id);
const lcaa = {
  stats: { played: 0, rms: 0, underruns: 0, buffered: 0, playing: false },
  turns: [], // {turn, pageMs, serverMs, audioId, transcript, cancelled, synthetic}
  errors: [],
  bargeIns: [], // Date.now() of each barge-in
  closes: [],
  hello: null,
  sendRaw: (data) => state.ws.send(data), // for tests: send anything as it is
};
window.lcaa = lcaa;

const state = {
  ws: null,
  ctx: null,
  capture: null,
  playback: null,
  mode: "vad",
  speaking: false,
  held: false,
  voicedRun: 0,
  silentRun: 0,
  lastVoicedAt: 0,
  preroll: [],
  endOfSpeech: null, // performance.now() when the last turn's speech ended
  answering: false, // the server streams an answer
  playing: false, // the playback worklet plays one
  accepting: false, // audio for the current answer is welcome
  current: null, // the answer's turn record
  bubble: null,
};

function show(id, text) {
  const el = $(id);
  el.textContent = text;
  el.hidden = !text;
}

function error(message) {
  lcaa.errors.push(message);
  show("error", message);
}

function status(text) {
  $("status").textContent = text;
}

function bubble(cls, text) {
  const div = document.createElement("div");
  div.className = `turn ${cls}`;
  div.textContent = text;
  $("transcript").appendChild(div);
  div.scrollIntoView({ block: "nearest" });
  return div;
}

function tag(el, text, cls = "tag") {
  const span = document.createElement("span");
  span.className = cls;
  span.textContent = text;
  el.appendChild(span);
}

function send(message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

// ------------------------------------------------------------------ connection

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (event) => (typeof event.data === "string" ? onMessage(JSON.parse(event.data)) : onAudio(event.data));
  ws.onclose = (event) => {
    lcaa.closes.push(event.code);
    const why = {
      1009: "the server refused a message over its 20 MiB limit (WebSocket close 1009)",
      1008: "the server refused this page's origin (WebSocket close 1008)",
      1007: "the server refused a malformed frame (WebSocket close 1007)",
      1002: "the server refused a malformed frame (WebSocket close 1002)",
    }[event.code] || `the connection closed (code ${event.code})`;
    error(`${why}; reconnecting, and the conversation starts over.`);
    status("reconnecting…");
    stopPlayback();
    state.answering = false;
    setTimeout(connect, 1000);
  };
  state.ws = ws;
}

function onMessage(m) {
  switch (m.type) {
    case "hello": return onHello(m);
    case "config": return status(`voice ${m.voice}${m.deployment ? `, deployment ${m.deployment}` : ""}`);
    case "heard": return tag(bubble("user", "You (spoken)"), `${m.seconds.toFixed(1)} s`);
    case "answer_start": return onAnswerStart(m);
    case "transcript":
      if (state.accepting && state.bubble) state.bubble.firstChild.textContent += m.delta;
      if (state.current) state.current.transcript += m.delta;
      return;
    case "first_audio":
      if (state.current && state.current.turn === m.turn) {
        state.current.serverMs = m.server_ms;
        renderTurns();
      }
      return;
    case "answer_end": return onAnswerEnd(m);
    case "cancelled":
      state.answering = false;
      return;
    case "reset":
      $("transcript").textContent = "";
      return;
    case "error": // an answer that failed mid-way plays out what arrived, then stops
      state.answering = false;
      if (state.playback) state.playback.port.postMessage({ type: "end" });
      return error(m.message);
    default:
      return error(`the server sent an unknown message type ${m.type}`);
  }
}

function onHello(m) {
  lcaa.hello = m;
  fill($("voice"), m.voices, m.voice);
  fill($("deployment"), m.deployments.length ? m.deployments : ["(offline)"], m.deployment);
  $("deployment").disabled = m.offline;
  if (m.offline) {
    show("banner", `${m.message} This page is offline: answers are a SYNTHETIC replay.`);
    $("demo").hidden = false;
    $("demo").title = m.demo_question;
  }
  status(m.offline ? "offline (synthetic replay)" : "connected");
}

function fill(select, values, chosen) {
  select.textContent = "";
  for (const value of values) {
    const option = document.createElement("option");
    option.value = option.textContent = value;
    option.selected = value === chosen;
    select.appendChild(option);
  }
}

function onAnswerStart(m) {
  state.answering = true;
  state.accepting = true;
  state.current = {
    turn: m.turn, pageMs: null, serverMs: null, audioId: null, transcript: "",
    cancelled: false, synthetic: m.synthetic, endOfSpeech: state.endOfSpeech,
  };
  lcaa.turns.push(state.current);
  state.bubble = bubble("assistant", "");
  state.bubble.appendChild(document.createTextNode("")); // the transcript, as it streams
  if (m.synthetic) tag(state.bubble, "SYNTHETIC replay (bundled demo session, not Azure)", "tag synthetic");
  if (state.playback) state.playback.port.postMessage({ type: "start" });
  renderTurns();
}

function onAudio(buffer) {
  if (!state.accepting || !state.playback) return; // after a barge-in: the rest is dropped
  const turn = state.current;
  if (turn && turn.pageMs === null && turn.endOfSpeech !== null) {
    turn.pageMs = Math.round(performance.now() - turn.endOfSpeech);
    renderTurns();
  }
  state.playing = true;
  state.playback.port.postMessage({ type: "pcm", buffer }, [buffer]);
}

function onAnswerEnd(m) {
  state.answering = false;
  if (state.current && state.current.turn === m.turn) {
    state.current.audioId = m.audio_id;
    renderTurns();
  }
  if (state.playback) state.playback.port.postMessage({ type: "end" });
  status(m.synthetic ? "offline (synthetic replay)" : "listening");
}

function renderTurns() {
  const body = $("turns").tBodies[0];
  body.textContent = "";
  for (const t of lcaa.turns) {
    const row = body.insertRow();
    for (const cell of [t.turn, t.pageMs ?? "–", t.serverMs ?? "–", t.audioId ?? (t.cancelled ? "(stopped)" : "–")]) {
      row.insertCell().textContent = cell;
    }
  }
}

// ---------------------------------------------------------------------- audio

async function start() {
  $("start").disabled = true;
  try {
    const ctx = new AudioContext({ sampleRate: RATE, latencyHint: "interactive" });
    await ctx.audioWorklet.addModule("/static/capture-worklet.js");
    await ctx.audioWorklet.addModule("/static/playback-worklet.js");
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const capture = new AudioWorkletNode(ctx, "capture", { numberOfInputs: 1, numberOfOutputs: 0 });
    ctx.createMediaStreamSource(stream).connect(capture);
    const playback = new AudioWorkletNode(ctx, "playback", { numberOfInputs: 0, outputChannelCount: [1] });
    playback.connect(ctx.destination);
    capture.port.onmessage = (event) => onFrame(event.data.pcm, event.data.rms);
    playback.port.onmessage = (event) => onPlayback(event.data);
    await ctx.resume();
    Object.assign(state, { ctx, capture, playback });
    $("talk").disabled = false;
    $("stop").disabled = false;
    status("listening");
  } catch (exc) {
    $("start").disabled = false;
    error(`the microphone could not start: ${exc.message || exc}`);
  }
}

function onPlayback(m) {
  const s = lcaa.stats;
  s.played = m.played;
  s.rms = m.played ? Math.sqrt(m.sumSq / m.played) : 0;
  s.underruns = m.underruns;
  s.buffered = m.buffered;
  s.playing = m.playing;
  if (m.type === "drained") state.playing = false;
}

function busy() {
  return state.answering || state.playing;
}

function onFrame(pcm, rms) {
  if (state.mode === "ptt") {
    if (state.held) sendAudio(pcm);
    return;
  }
  const voiced = rms > THRESHOLD;
  if (!state.speaking) {
    state.preroll.push(pcm);
    if (state.preroll.length > PREROLL_FRAMES) state.preroll.shift();
    state.voicedRun = voiced ? state.voicedRun + 1 : 0;
    if (state.voicedRun < START_FRAMES) return;
    state.speaking = true;
    state.silentRun = 0;
    state.lastVoicedAt = performance.now();
    if (busy()) bargeIn("speech");
    status("hearing you…");
    for (const frame of state.preroll) sendAudio(frame);
    state.preroll = [];
    return;
  }
  sendAudio(pcm);
  if (voiced) {
    state.silentRun = 0;
    state.lastVoicedAt = performance.now();
  } else if (++state.silentRun >= END_FRAMES) {
    state.speaking = false;
    endTurn(state.lastVoicedAt);
  }
}

function sendAudio(pcm) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(pcm.buffer);
}

function endTurn(endOfSpeech) {
  state.endOfSpeech = endOfSpeech;
  send({ type: "end_turn" });
  status("thinking…");
}

function stopPlayback() {
  state.accepting = false;
  state.playing = false;
  if (state.playback) state.playback.port.postMessage({ type: "flush" });
}

function bargeIn(why) {
  lcaa.bargeIns.push(Date.now());
  stopPlayback(); // at once, before the server hears of it
  if (state.current && state.answering) {
    state.current.cancelled = true;
    tag(state.bubble, why === "speech" ? "(interrupted)" : "(stopped)");
  }
  send({ type: "stop" });
  state.answering = false;
  renderTurns();
}

// ------------------------------------------------------------------- controls

function press() {
  if (state.mode !== "ptt" || state.held || !state.ctx) return;
  state.held = true;
  $("talk").classList.add("held");
  if (busy()) bargeIn("speech");
  status("hearing you…");
}

function release() {
  if (!state.held) return;
  state.held = false;
  $("talk").classList.remove("held");
  endTurn(performance.now());
}

function ask(text) {
  state.endOfSpeech = performance.now();
  bubble("user", `You (typed): ${text}`);
  send({ type: "ask", text });
}

window.addEventListener("DOMContentLoaded", () => {
  $("start").onclick = start;
  $("stop").onclick = () => bargeIn("button");
  $("mode").onchange = (event) => {
    state.mode = event.target.value;
    state.speaking = false;
    state.preroll = [];
  };
  $("talk").addEventListener("pointerdown", press);
  $("talk").addEventListener("pointerup", release);
  $("talk").addEventListener("pointerleave", release);
  window.addEventListener("keydown", (event) => {
    if (event.code === "Space" && event.target === document.body) { event.preventDefault(); press(); }
  });
  window.addEventListener("keyup", (event) => {
    if (event.code === "Space" && event.target === document.body) { event.preventDefault(); release(); }
  });
  const config = () => send({ type: "config", voice: $("voice").value, deployment: lcaa.hello && lcaa.hello.offline ? undefined : $("deployment").value });
  $("voice").onchange = config;
  $("deployment").onchange = config;
  $("ask").onsubmit = (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (text) ask(text);
    $("text").value = "";
  };
  $("demo").onclick = () => ask(lcaa.hello.demo_question);
  connect();
});
