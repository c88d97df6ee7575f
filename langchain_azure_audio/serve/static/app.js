// The page: microphone -> pcm16 over one WebSocket; answers -> the playback worklet.
// Two modes, told by the server's hello: "chat" (chat completions: the page ends each
// turn after 0.8 s of quiet and sends it) and "realtime" (the Realtime API: every 20 ms
// frame is streamed as it is captured, and Azure's voice detection ends the turns).
// No build step. `window.lcaa` exposes the state the tests (and curious users) read.
"use strict";

const RATE = 24000;
const FRAME_MS = 20; // the capture worklet's frames
const START_FRAMES = 3; // 60 ms above the threshold starts speech
const END_FRAMES = 40; // 800 ms below it ends the turn (hands-free, chat mode)
const PREROLL_FRAMES = 15; // 300 ms kept before speech starts, so no word loses its onset
const THRESHOLD = 0.02; // frame RMS (full scale 1.0) that counts as speech

const $ = (id) => document.getElementById(id);
const lcaa = {
  stats: { played: 0, rms: 0, underruns: 0, buffered: 0, playing: false },
  // {turn, item, pageMs, serverMs, audioId, transcript, cancelled, synthetic, endOfSpeech,
  //  lastVoiced, firstPlayedAt, firstPlayedEpoch, played, interrupted, status}
  turns: [],
  tools: [], // {name, callId, args, output, error}
  errors: [],
  notices: [],
  bargeIns: [], // Date.now() of each barge-in
  speech: [], // realtime: {turn, started, stopped, lastVoiced} (performance.now())
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
  api: "chat", // the server's mode: "chat" or "realtime"
  mode: "vad",
  speaking: false,
  held: false,
  voicedRun: 0,
  silentRun: 0,
  lastVoicedAt: 0, // performance.now() of the last frame above the threshold
  preroll: [],
  endOfSpeech: null, // when the last turn's speech ended (chat: last sound; realtime: Azure)
  turnEndAt: null, // when the last turn ended (chat: end_turn sent; realtime: speech_stopped)
  answering: false, // the server streams an answer
  playing: false, // the playback worklet plays one
  accepting: false, // audio for the current answer is welcome
  current: null, // the answer's turn record
  bubble: null,
  users: {}, // realtime: the user's bubble of each turn
  toolBubbles: {}, // call id -> its bubble
  lastReported: -1, // realtime: the last played count sent
  stopAfterFlush: false, // Stop pressed: send the final count once the worklet has flushed
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

function indicator(text, cls) {
  const el = $("turn-indicator");
  el.textContent = text;
  el.className = `indicator ${cls}`;
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
  return span;
}

function send(message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

const realtime = () => state.api === "realtime";

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
    case "config":
      if (m.restarted) notice("voice or deployment changed: a new conversation starts");
      return status(`voice ${m.voice}${m.deployment ? `, deployment ${m.deployment}` : ""}`);
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
    case "speech_started": return onSpeechStarted(m);
    case "speech_stopped": return onSpeechStopped(m);
    case "user_transcript": return onUserTranscript(m);
    case "tool_call": return onToolCall(m);
    case "tool_result": return onToolResult(m);
    case "interrupted": return onInterrupted(m);
    case "notice": return notice(m.message);
    case "error": // an answer that failed mid-way plays out what arrived, then stops
      state.answering = false;
      if (state.playback) state.playback.port.postMessage({ type: "end" });
      return error(m.message);
    default:
      return error(`the server sent an unknown message type ${m.type}`);
  }
}

function notice(text) {
  lcaa.notices.push(text);
  status(text);
}

function onHello(m) {
  lcaa.hello = m;
  state.api = m.mode === "realtime" ? "realtime" : "chat";
  fill($("voice"), m.voices, m.voice);
  fill($("deployment"), m.deployments.length ? m.deployments : ["(offline)"], m.deployment);
  $("deployment").disabled = m.offline;
  if (m.offline) {
    show("banner", `${m.message} This page is offline: answers are a SYNTHETIC replay.`);
    $("demo").hidden = false;
    $("demo").title = m.demo_question;
  }
  const rt = realtime();
  $("mode-badge").textContent = m.offline ? "offline" : rt ? "realtime" : "chat completions";
  $("mode-badge").className = `badge ${m.offline ? "offline" : rt ? "realtime" : "chat"}`;
  $("sub").textContent = rt
    ? "Azure OpenAI realtime, live: the microphone streams to AzureChatOpenAIRealtime.connect(), and Azure's voice detection takes the turns"
    : "Azure OpenAI audio chat, streamed through AzureChatOpenAIAudio.astream(): the page takes the turns";
  $("turns-label").hidden = rt;
  $("talk").hidden = rt;
  $("turn-indicator").hidden = !rt;
  $("latency-note").textContent = rt
    ? "page: from the end of your speech as Azure's voice detection saw it (speech_stopped) to the first answer sample this page played; server: from speech_stopped to the first audio sent."
    : "page: from your last sound to the first answer sample this page played (hands-free mode first waits 0.8 s of quiet); server: from the end of the turn to the first audio sent.";
  $("tools").hidden = !m.tools.length;
  $("tools").textContent = m.tools.length ? `Tools the model may call: ${m.tools.map((t) => t.name).join(", ")}` : "";
  if (rt) indicator("listening", "idle");
  status(m.offline ? "offline (synthetic replay)" : rt ? "connected: speak whenever you like" : "connected");
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
  state.lastReported = -1;
  state.current = {
    turn: m.turn, item: m.item ?? null, pageMs: null, serverMs: null, audioId: null,
    transcript: "", cancelled: false, synthetic: m.synthetic, endOfSpeech: state.endOfSpeech,
    lastVoiced: realtime() ? (lcaa.speech.at(-1) || {}).lastVoiced ?? null : state.lastVoicedAt,
    turnEndAt: state.turnEndAt, firstAudioAt: null, firstPlayedAt: null, firstPlayedEpoch: null,
    played: 0, interrupted: null, status: null,
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
  if (state.current && state.current.firstAudioAt === null) state.current.firstAudioAt = performance.now();
  state.playing = true;
  if (realtime()) indicator("answering", "answering");
  state.playback.port.postMessage({ type: "pcm", buffer }, [buffer]);
}

function onAnswerEnd(m) {
  state.answering = false;
  if (state.current && state.current.turn === m.turn) {
    state.current.audioId = m.audio_id;
    state.current.status = m.status ?? null;
    renderTurns();
  }
  if (state.playback) state.playback.port.postMessage({ type: "end" });
  if (!realtime()) status(m.synthetic ? "offline (synthetic replay)" : "listening");
}

function renderTurns() {
  const body = $("turns").tBodies[0];
  body.textContent = "";
  for (const t of lcaa.turns) {
    const row = body.insertRow();
    let answer = (realtime() ? t.status : t.audioId) ?? (t.cancelled ? "(stopped)" : "–");
    if (t.interrupted) answer = `interrupted: heard ${(t.interrupted.playedMs / 1000).toFixed(2)} s of ${(t.interrupted.generatedMs / 1000).toFixed(2)} s`;
    for (const cell of [t.turn, t.pageMs ?? "–", t.serverMs ?? "–", answer]) {
      row.insertCell().textContent = cell;
    }
  }
}

// ---------------------------------------------------------- realtime: turns, tools

function onSpeechStarted(m) {
  lcaa.speech.push({ turn: m.turn, started: performance.now(), stopped: null, lastVoiced: null });
  indicator("you are speaking", "speaking");
  if (busy()) bargeIn("speech", false); // at once: Azure has cut the answer already
  const div = bubble("user", "You: ");
  div.appendChild(document.createTextNode("…"));
  state.users[m.turn] = div;
}

function onSpeechStopped(m) {
  const now = performance.now();
  const speech = lcaa.speech.at(-1);
  if (speech) Object.assign(speech, { stopped: now, lastVoiced: state.lastVoicedAt });
  state.endOfSpeech = state.turnEndAt = now; // the end of the turn as Azure's voice detection saw it
  indicator("thinking", "thinking");
}

function onUserTranscript(m) {
  const div = state.users[m.turn] || bubble("user", "You: ");
  if (!div.lastChild || div.childNodes.length < 2) div.appendChild(document.createTextNode(""));
  div.lastChild.textContent = m.text || "(not transcribed)";
}

function onToolCall(m) {
  lcaa.tools.push({ name: m.name, callId: m.call_id, args: m.args, output: null, error: false });
  const div = bubble("tool", `tool call: ${m.name}(${m.args})`);
  state.toolBubbles[m.call_id] = div;
}

function onToolResult(m) {
  const call = lcaa.tools.find((t) => t.callId === m.call_id);
  if (call) Object.assign(call, { output: m.output, error: m.error });
  const div = state.toolBubbles[m.call_id] || bubble("tool", `tool call: ${m.name}`);
  const result = document.createElement("div");
  result.className = m.error ? "result failed" : "result";
  result.textContent = `→ ${m.output}`;
  div.appendChild(result);
}

function onInterrupted(m) {
  const turn = lcaa.turns.find((t) => t.item === m.item) || state.current;
  if (turn) {
    turn.interrupted = { playedMs: m.played_ms, generatedMs: m.generated_ms };
    turn.cancelled = true;
  }
  if (turn === state.current) {
    stopPlayback();
    if (state.bubble) tag(state.bubble, `(interrupted: you heard ${(m.played_ms / 1000).toFixed(1)} s of ${(m.generated_ms / 1000).toFixed(1)} s)`);
  }
  renderTurns();
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
    status(realtime() ? "the microphone streams to Azure" : "listening");
  } catch (exc) {
    $("start").disabled = false;
    error(`the microphone could not start: ${exc.message || exc}`);
  }
}

// The performance.now() at which the output device plays the sample rendered at
// `contextTime` (the audio clock), or now when the browser cannot tell.
function playedAt(contextTime) {
  const stamp = state.ctx && state.ctx.getOutputTimestamp ? state.ctx.getOutputTimestamp() : null;
  if (stamp && stamp.performanceTime > 0) return stamp.performanceTime + (contextTime - stamp.contextTime) * 1000;
  return performance.now();
}

function onPlayback(m) {
  if (m.type === "first") return onFirstSample(m);
  const s = lcaa.stats;
  s.played = m.played;
  s.rms = m.played ? Math.sqrt(m.sumSq / m.played) : 0;
  s.underruns = m.underruns;
  s.buffered = m.buffered;
  s.playing = m.playing;
  const turn = state.current;
  if (turn && (m.type === "flushed" || state.accepting)) turn.played = m.answerPlayed;
  if (m.type === "drained") {
    state.playing = false;
    if (realtime()) indicator("listening", "idle");
  }
  if (!realtime() || !turn || turn.item === null) return;
  if (m.type === "flushed" && state.stopAfterFlush) { // Stop: exactly what was played
    state.stopAfterFlush = false;
    send({ type: "stop", item: turn.item, samples: m.answerPlayed });
  } else if (state.accepting && m.answerPlayed !== state.lastReported) {
    state.lastReported = m.answerPlayed; // what the user has heard: the server cuts here
    send({ type: "played", item: turn.item, samples: m.answerPlayed });
  }
}

function onFirstSample(m) {
  const turn = state.current;
  if (!turn || turn.firstPlayedAt !== null) return;
  turn.firstPlayedAt = playedAt(m.contextTime);
  turn.firstPlayedEpoch = performance.timeOrigin + turn.firstPlayedAt;
  if (turn.endOfSpeech !== null) turn.pageMs = Math.round(turn.firstPlayedAt - turn.endOfSpeech);
  renderTurns();
}

function busy() {
  return state.answering || state.playing;
}

function onFrame(pcm, rms) {
  const voiced = rms > THRESHOLD;
  if (voiced) state.lastVoicedAt = performance.now();
  if (realtime()) { // every frame, as it is captured: Azure decides where turns end
    sendAudio(pcm);
    return;
  }
  if (state.mode === "ptt") {
    if (state.held) sendAudio(pcm);
    return;
  }
  if (!state.speaking) {
    state.preroll.push(pcm);
    if (state.preroll.length > PREROLL_FRAMES) state.preroll.shift();
    state.voicedRun = voiced ? state.voicedRun + 1 : 0;
    if (state.voicedRun < START_FRAMES) return;
    state.speaking = true;
    state.silentRun = 0;
    if (busy()) bargeIn("speech");
    status("hearing you…");
    for (const frame of state.preroll) sendAudio(frame);
    state.preroll = [];
    return;
  }
  sendAudio(pcm);
  if (voiced) {
    state.silentRun = 0;
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
  state.turnEndAt = performance.now();
  send({ type: "end_turn" });
  status("thinking…");
}

function stopPlayback() {
  state.accepting = false;
  state.playing = false;
  if (state.playback) state.playback.port.postMessage({ type: "flush" });
}

// Stop playback at once. Chat mode: the server cancels the answer. Realtime, by the
// button: the final played count goes with the stop once the worklet has flushed; by
// speech: Azure already cut the answer at the last count reported.
function bargeIn(why, notify = true) {
  lcaa.bargeIns.push(Date.now());
  const playing = state.accepting;
  if (realtime() && notify && playing && state.current && state.current.item !== null) state.stopAfterFlush = true;
  stopPlayback();
  if (state.current && (state.answering || playing)) {
    state.current.cancelled = true; // realtime, by speech: `interrupted` says how much was heard
    if (notify) tag(state.bubble, why === "speech" ? "(interrupted)" : "(stopped)");
  }
  if (notify && !state.stopAfterFlush) send({ type: "stop" });
  state.answering = false;
  renderTurns();
}

// ------------------------------------------------------------------- controls

function press() {
  if (state.mode !== "ptt" || state.held || !state.ctx || realtime()) return;
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
  state.endOfSpeech = state.turnEndAt = performance.now();
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
