// The echo demo page: microphone → 16 kHz PCM16 → WebSocket → server echo → jitter buffer →
// speaker, with level meters, counters and a round-trip time. Everything it needs is served by
// the demo server; `globalThis.demo` exposes the live figures for tests and the curious.

const PACKET_BYTES = 640; // 20 ms of 16 kHz mono PCM16: what the server sends back
const PING_EVERY_MS = 1000;
const RECENT_SAMPLES = 8000; // the last 0.5 s of received audio, for inspection
/** How long "Interrupted" stays up once the echo has resumed, so it can be read. */
const INTERRUPTED_NOTE_MS = 1500;

const $ = (id) => document.getElementById(id);
const ui = {
  talk: $("talk"),
  stop: $("stop"),
  interrupt: $("interrupt"),
  delay: $("delay"),
  aec: $("aec"),
  status: $("status"),
  hint: $("controls-hint"),
  inFill: $("in-meter").firstElementChild,
  inMeter: $("in-meter"),
  inDb: $("in-db"),
  outFill: $("out-meter").firstElementChild,
  outMeter: $("out-meter"),
  outDb: $("out-db"),
  rtt: $("rtt"),
  buffered: $("buffered"),
  sentPackets: $("sent-packets"),
  sentBytes: $("sent-bytes"),
  recvPackets: $("recv-packets"),
  recvBytes: $("recv-bytes"),
  underruns: $("underruns"),
  interrupts: $("interrupts"),
};

const stats = {
  state: "idle", // idle | starting | live | error
  sentPackets: 0,
  sentBytes: 0,
  receivedPackets: 0,
  receivedBytes: 0,
  /** Received binary messages that were not exactly one 640-byte packet. */
  oddPackets: 0,
  messagesReceived: 0,
  interrupts: 0,
  inputDb: -Infinity,
  /** What the speaker is playing, measured after the jitter buffer. */
  outputDb: -Infinity,
  /** The level of the audio as it arrives, before the jitter buffer. */
  receivedDb: -Infinity,
  rttMs: null,
  rttSamples: [],
  bufferedMs: 0,
  underruns: 0,
  droppedSamples: 0,
};

const recent = new Int16Array(RECENT_SAMPLES);
let recentEnd = 0;

globalThis.demo = {
  stats,
  /** The last 0.5 s of received 16 kHz samples, oldest first. */
  recentOutput() {
    return [...recent.subarray(recentEnd), ...recent.subarray(0, recentEnd)];
  },
};

/** @type {{ ctx: AudioContext, ws: WebSocket, stream: MediaStream, player: AudioWorkletNode, pinger: number, liveStatus: string, interruptedTimer: number } | null} */
let session = null;

/** Where the page came from: the server the microphone audio goes to. */
const SERVER = location.origin;

/** Thrown when the demo server cannot be reached: says so instead of the browser's own words. */
class ServerUnreachable extends Error {
  constructor() {
    super(`cannot reach the server at ${SERVER}: is it running?`);
  }
}

function toDb(rms) {
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

function formatDb(db) {
  return Number.isFinite(db) && db > -100 ? `${db.toFixed(1).replace("-", "−")} dBFS` : "−∞ dBFS";
}

function setMeter(fill, meter, label, db) {
  const clamped = Math.max(-60, Math.min(0, Number.isFinite(db) ? db : -60));
  fill.style.width = `${((clamped + 60) / 60) * 100}%`;
  meter.setAttribute("aria-valuenow", clamped.toFixed(0));
  label.textContent = formatDb(db);
}

function setStatus(text, kind = "") {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

/** Disables what does not apply now, and says why on each disabled control and in the hint. */
function setButtons(live) {
  const why = {
    talk: "A session is running: Stop it to start another.",
    stop: "No session is running: click Talk to start one.",
    interrupt: "No session is running: click Talk to start one.",
    delay: "The echo delay is fixed for a session: Stop to change it.",
    aec: "Echo cancellation is fixed for a session: Stop to change it.",
  };
  const disabled = {
    talk: live,
    stop: !live,
    interrupt: !live,
    delay: live,
    aec: live,
  };
  for (const [name, off] of Object.entries(disabled)) {
    ui[name].disabled = off;
    if (off) ui[name].title = why[name];
    else ui[name].removeAttribute("title");
  }
  // The checkbox's label is what a pointer rests on: it carries the reason too.
  const aecLabel = ui.aec.closest("label");
  if (live) aecLabel.title = why.aec;
  else aecLabel.removeAttribute("title");
  ui.hint.textContent = live
    ? "Echo delay and echo cancellation are fixed while a session runs: Stop to change them."
    : "Stop and Interrupt work during a session.";
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function render() {
  setMeter(ui.inFill, ui.inMeter, ui.inDb, stats.inputDb);
  setMeter(ui.outFill, ui.outMeter, ui.outDb, stats.outputDb);
  ui.rtt.textContent = stats.rttMs === null ? "–" : `${Math.round(stats.rttMs)} ms`;
  ui.rtt.title = stats.rttSamples.length
    ? `median of the last ${stats.rttSamples.length}: ${Math.round(median(stats.rttSamples))} ms`
    : "";
  ui.buffered.textContent = session ? `${Math.round(stats.bufferedMs)} ms` : "–";
  ui.sentPackets.textContent = stats.sentPackets.toLocaleString("en");
  ui.sentBytes.textContent = stats.sentBytes.toLocaleString("en");
  ui.recvPackets.textContent = stats.receivedPackets.toLocaleString("en");
  ui.recvBytes.textContent = stats.receivedBytes.toLocaleString("en");
  ui.underruns.textContent = String(stats.underruns);
  ui.interrupts.textContent = String(stats.interrupts);
}
setInterval(render, 100);

function onAudio(buffer) {
  if (session && session.interruptedTimer === -1) {
    // The echo is back after an interrupt: leave the note up a moment, then say we are live.
    const current = session;
    current.interruptedTimer = setTimeout(() => {
      if (session !== current) return;
      current.interruptedTimer = 0;
      setStatus(current.liveStatus, "live");
    }, INTERRUPTED_NOTE_MS);
  }
  stats.receivedPackets++;
  stats.receivedBytes += buffer.byteLength;
  if (buffer.byteLength !== PACKET_BYTES) stats.oddPackets++;
  const samples = new Int16Array(buffer);
  let sumSquares = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    sumSquares += s * s;
    recent[recentEnd] = s;
    recentEnd = (recentEnd + 1) % RECENT_SAMPLES;
  }
  stats.receivedDb = toDb(Math.sqrt(sumSquares / samples.length) / 0x8000);
  // Transferred to the audio thread: the buffer is not touched here afterwards.
  session?.player.port.postMessage({ pcm: buffer }, [buffer]);
}

function onText(text) {
  stats.messagesReceived++;
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return;
  }
  if (message?.type === "ping" && typeof message.t === "number") {
    stats.rttMs = performance.now() - message.t;
    stats.rttSamples.push(stats.rttMs);
    if (stats.rttSamples.length > 10) stats.rttSamples.shift();
  }
}

function resetStats() {
  Object.assign(stats, {
    sentPackets: 0,
    sentBytes: 0,
    receivedPackets: 0,
    receivedBytes: 0,
    oddPackets: 0,
    messagesReceived: 0,
    interrupts: 0,
    receivedDb: -Infinity,
    rttMs: null,
    rttSamples: [],
    bufferedMs: 0,
    underruns: 0,
    droppedSamples: 0,
  });
  recent.fill(0);
}

async function start() {
  setButtons(true);
  resetStats();
  stats.state = "starting";
  setStatus("Asking for the microphone…");
  let ctx;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        channelCount: 1,
        echoCancellation: ui.aec.checked,
        noiseSuppression: false,
        autoGainControl: false,
      },
    });
    ctx = new AudioContext({ latencyHint: "interactive" });
    // The worklets come from the server: when it is down this is where that shows first, as
    // "Unable to load a worklet's module", which says nothing of the server.
    await Promise.all([
      ctx.audioWorklet.addModule("mic-worklet.js"),
      ctx.audioWorklet.addModule("player-worklet.js"),
    ]).catch(() => {
      throw new ServerUnreachable();
    });
    const mic = new AudioWorkletNode(ctx, "mic-processor", { numberOfOutputs: 0 });
    const player = new AudioWorkletNode(ctx, "player-processor", {
      numberOfInputs: 0,
      outputChannelCount: [1],
      processorOptions: { targetMs: 60, maxMs: 400 },
    });
    player.connect(ctx.destination);
    ctx.createMediaStreamSource(stream).connect(mic);

    setStatus("Connecting…");
    const url = new URL(`ws?delay_ms=${encodeURIComponent(ui.delay.value)}`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      // A browser says no more than "error": the server is down, or it refused this page.
      ws.onerror = () => reject(new ServerUnreachable());
    });

    session = { ctx, ws, stream, player, pinger: 0, liveStatus: "", interruptedTimer: 0 };
    ws.onmessage = (event) => {
      if (typeof event.data === "string") onText(event.data);
      else onAudio(event.data);
    };
    ws.onerror = null;
    ws.onclose = (event) => {
      if (session?.ws !== ws) return;
      stop();
      stats.state = "error";
      setStatus(
        event.code === 1006
          ? `Lost the connection to the server at ${SERVER}.`
          : `The server closed the connection (${event.code}${
            event.reason ? ` ${event.reason}` : ""
          }).`,
        "error",
      );
    };
    mic.port.onmessage = ({ data }) => {
      stats.inputDb = toDb(data.rms);
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(data.pcm);
      stats.sentPackets++;
      stats.sentBytes += data.pcm.byteLength;
    };
    player.port.onmessage = ({ data }) => {
      stats.outputDb = toDb(data.rms);
      stats.bufferedMs = data.bufferedMs;
      stats.underruns = data.underruns;
      stats.droppedSamples = data.dropped;
    };
    const ping = () => {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: "ping", t: performance.now() }));
      }
    };
    ping();
    session.pinger = setInterval(ping, PING_EVERY_MS);
    await ctx.resume();
    stats.state = "live";
    const delay = Number(ui.delay.value);
    session.liveStatus = `Live at ${ctx.sampleRate} Hz${
      delay ? `, echo delayed ${delay} ms` : ""
    }. Speak!`;
    setStatus(session.liveStatus, "live");
  } catch (error) {
    stream?.getTracks().forEach((track) => track.stop());
    ctx?.close();
    if (session) stop();
    session = null;
    setButtons(false);
    stats.state = "error";
    setStatus(`Could not start: ${error.message}`, "error");
  }
}

function stop() {
  if (!session) return;
  const { ctx, ws, stream, pinger, interruptedTimer } = session;
  session = null;
  clearInterval(pinger);
  if (interruptedTimer > 0) clearTimeout(interruptedTimer);
  ws.close(1000, "stop");
  stream.getTracks().forEach((track) => track.stop());
  ctx.close();
  stats.state = "idle";
  stats.inputDb = stats.outputDb = -Infinity;
  // Figures of a session that is over would read as current ones: the counters stay (they say
  // what the session did), the round trip does not.
  stats.rttMs = null;
  stats.rttSamples = [];
  setButtons(false);
  render();
  setStatus("Stopped. Click Talk to start again.");
}

function interrupt() {
  if (!session) return;
  session.ws.send(JSON.stringify({ type: "interrupt" }));
  // The server drops what it has queued; drop what is waiting here too, so silence is immediate.
  session.player.port.postMessage({ clear: true });
  stats.interrupts++;
  if (session.interruptedTimer > 0) clearTimeout(session.interruptedTimer);
  // -1: waiting for the echo to resume (see onAudio), which puts the live status back.
  session.interruptedTimer = -1;
  setStatus("Interrupted: queued audio dropped on both ends.", "live");
}

ui.talk.addEventListener("click", start);
ui.stop.addEventListener("click", stop);
ui.interrupt.addEventListener("click", interrupt);
setButtons(false);
render();
