// The demo page. On the two parrot lines you speak, pause, and the server's parrot says your
// phrase back; talk over it and it stops. The page shows the server's view of the session live
// (`/view`: speaking, what you heard, events, metrics) next to what its own player really
// played. The echo line is the server's echo (`/ws`). `globalThis.demo` exposes the figures for
// tests and the curious.

import { openAudio, SERVER } from "./audio_io.js";
import { EchoLine } from "./echo_line.js";
import { EventLog } from "./event_log.js";
import { renderMetrics } from "./metrics_panel.js";
import { PhoneLine } from "./phone_line.js";
import { PlaybackLedger } from "./playback_ledger.js";
import { openServerView } from "./server_view.js";
import { Timeline } from "./timeline.js";
import { showViewEvent } from "./view_display.js";
import { WidebandLine } from "./wideband_line.js";

/** The player starts at 60 ms buffered: the server sends that far ahead (DEMO_SEND_AHEAD_MS). */
const PLAYER_TARGET_MS = 60;
const RECENT_SAMPLES = 8000; // the last 0.5 s of received 16 kHz audio, for inspection
/** How long "Interrupted" stays up once the echo has resumed, so it can be read. */
const INTERRUPTED_NOTE_MS = 1500;
/** How many of the server's view messages `demo.viewEvents()` keeps. */
const MAX_VIEW_EVENTS = 10000;
/** How long the view may take to send "ended" once the line has closed. */
const VIEW_LINGER_MS = 3000;

/** What the status says once a parrot line is live. */
const LIVE_STATUS = {
  wideband: "Live on the wideband line (raw PCM, 16 kHz). Say something and pause: the parrot " +
    "says it back. Talk over it to cut it off.",
  phone: "Live on the phone line (this page plays Twilio: μ-law, 8 kHz). Say something and " +
    "pause: the parrot says it back. Talk over it to cut it off.",
};

const $ = (id) => document.getElementById(id);
const ui = {
  lines: [...document.querySelectorAll('input[name="line"]')],
  talk: $("talk"),
  stop: $("stop"),
  interrupt: $("interrupt"),
  delay: $("delay"),
  aec: $("aec"),
  status: $("status"),
  hint: $("controls-hint"),
  callerLamp: $("caller-lamp"),
  botLamp: $("bot-lamp"),
  heard: $("heard"),
  heardDetail: $("heard-detail"),
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

/** A session's counters, all at zero. */
const freshCounts = () => ({
  sentPackets: 0,
  sentBytes: 0,
  receivedPackets: 0,
  receivedBytes: 0,
  /** Echo: received binary messages that were not exactly one 640-byte packet. */
  oddPackets: 0,
  interrupts: 0,
  clears: 0,
  /** The level of the audio as it arrives, before the jitter buffer. */
  receivedDb: -Infinity,
  rttMs: null,
  rttSamples: [],
  bufferedMs: 0,
  underruns: 0,
  droppedSamples: 0,
  /** Samples the player dropped because a clear came. */
  clearedSamples: 0,
  /** Phone line: marks from the server, and how they went back. */
  marks: { received: 0, played: 0, cleared: 0 },
  violations: 0,
});

const stats = {
  state: "idle", // idle | starting | live | error
  line: "wideband",
  inputDb: -Infinity,
  /** What the speaker is playing, measured after the jitter buffer. */
  outputDb: -Infinity,
  ...freshCounts(),
};

const recent = new Int16Array(RECENT_SAMPLES);
let recentEnd = 0;
const log = new EventLog($("log"));
const timeline = new Timeline($("timeline"));

/**
 * The running session (or null), and the last one, whose figures stay on show.
 * @type {any}
 */
let session = null;
/** @type {any} */
let shown = null;
/**
 * The start under way (or null). It awaits the microphone, the server's view and the line in
 * turn, and Stop may come during any of them: Stop cancels it, and the start, once the await it
 * was in is over, closes what that await opened (it was not there for Stop to close) and returns.
 * @type {{ cancelled: boolean } | null}
 */
let starting = null;

globalThis.demo = {
  stats,
  /** The server's view messages of the session on show, in order. */
  viewEvents: () => shown?.events ?? [],
  /** Each interruption: the server's heard figure and what this page's player played. */
  bargeIns: () => shown?.ledger.bargeIns() ?? [],
  /** The event log, oldest first. */
  log: () => log.texts(),
  /** The last 0.5 s of received 16 kHz samples (echo line), oldest first. */
  recentOutput() {
    return [...recent.subarray(recentEnd), ...recent.subarray(0, recentEnd)];
  },
};

function selectedLine() {
  return ui.lines.find((input) => input.checked)?.value ?? "wideband";
}

function toDb(rms) {
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

function formatDb(db) {
  return Number.isFinite(db) && db > -100 ? `${db.toFixed(1).replace("-", "−")} dBFS` : "−∞ dBFS";
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
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

function setLamp(lamp, on, text) {
  lamp.dataset.on = String(on);
  lamp.lastElementChild.textContent = text;
}

/** Disables what does not apply now, and says why on each disabled control and in the hint. */
function setButtons(live) {
  const echo = selectedLine() === "echo";
  const idle = "No session is running: click Talk to start one.";
  const why = {
    talk: "A session is running: Stop it to start another.",
    stop: idle,
    interrupt: echo ? idle : "On the parrot lines you interrupt by talking over the parrot.",
    delay: live
      ? "The echo delay is fixed for a session: Stop to change it."
      : "The echo delay applies to the echo line only.",
    aec: "Echo cancellation is fixed for a session: Stop to change it.",
  };
  const disabled = {
    talk: live,
    stop: !live,
    interrupt: !live || !echo,
    delay: live || !echo,
    aec: live,
  };
  for (const [name, off] of Object.entries(disabled)) {
    ui[name].disabled = off;
    if (off) ui[name].title = why[name];
    else ui[name].removeAttribute("title");
  }
  // A checkbox's or radio's label is what a pointer rests on: it carries the reason too.
  const aecLabel = ui.aec.closest("label");
  if (live) aecLabel.title = why.aec;
  else aecLabel.removeAttribute("title");
  for (const input of ui.lines) {
    input.disabled = live;
    const label = input.closest("label");
    if (live) label.title = "The line is fixed for a session: Stop to change it.";
    else label.removeAttribute("title");
  }
  ui.hint.textContent = live
    ? "The line, echo delay and echo cancellation are fixed while a session runs: Stop to change them."
    : echo
    ? "Stop and Interrupt work during a session."
    : "Speak, pause, and the parrot says it back; talk over it to cut it off. Use headphones, " +
      "or keep echo cancellation on.";
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
  ui.interrupts.textContent = String(stats.line === "echo" ? stats.interrupts : stats.clears);
  const bargeIn = shown?.ledger.bargeIns().at(-1);
  renderMetrics({
    snapshot: shown?.snapshot,
    progress: shown?.progress,
    hello: shown?.hello,
    bargeIn,
  });
  if (bargeIn) {
    ui.heard.textContent = bargeIn.responseMs === null
      ? `Heard ${seconds(bargeIn.heardMs)}`
      : `Heard ${seconds(bargeIn.heardMs)} of ${seconds(bargeIn.responseMs)}`;
    ui.heardDetail.textContent = `${bargeIn.responseId} · ${
      bargeIn.acknowledged
        ? "acknowledged: the page's player acked the marks"
        // The phone line acknowledges: an estimate there means its marks were late or lost.
        : shown.line === "phone"
        ? "estimated: its marks did not come back in time"
        : "estimated: raw PCM acknowledges nothing"
    } · the player played ${seconds(bargeIn.playedMs)}${
      bargeIn.stalledMs > 0 ? ` (it stalled ${Math.round(bargeIn.stalledMs)} ms)` : ""
    }, ${
      bargeIn.stalePlayedSamples === 0
        ? "nothing after the clear"
        : `${seconds(bargeIn.stalePlayedMs)} after the clear (stale!)`
    }`;
  }
  timeline.draw();
}
setInterval(render, 100);

function resetFigures(line) {
  Object.assign(stats, { line, ...freshCounts() });
  recent.fill(0);
  log.clear();
  timeline.reset();
  ui.heard.textContent = line === "echo" ? "" : "Nothing interrupted yet";
  ui.heardDetail.textContent = line === "echo"
    ? "The echo line has no parrot: the server's view is shown on the parrot lines."
    : "Talk over the parrot: the page shows what you heard of its reply.";
  setLamp(ui.callerLamp, false, "quiet");
  setLamp(ui.botLamp, false, "silent");
}

/** Audio from the server: counted, kept for inspection (echo), handed to the player. */
function onAudio(current, pcm) {
  if (current.interruptedTimer === -1) {
    // The echo is back after an interrupt: leave the note up a moment, then say we are live.
    current.interruptedTimer = setTimeout(() => {
      if (session !== current) return;
      current.interruptedTimer = 0;
      setStatus(current.liveStatus, "live");
    }, INTERRUPTED_NOTE_MS);
  }
  stats.receivedPackets++;
  stats.receivedBytes += pcm.byteLength;
  let sumSquares = 0;
  for (let i = 0; i < pcm.length; i++) {
    const s = pcm[i];
    sumSquares += s * s;
    recent[recentEnd] = s;
    recentEnd = (recentEnd + 1) % RECENT_SAMPLES;
  }
  stats.receivedDb = toDb(Math.sqrt(sumSquares / pcm.length) / 0x8000);
  // Transferred to the audio thread: the buffer is not touched here afterwards.
  current.audio.player.port.postMessage({ pcm: pcm.buffer }, [pcm.buffer]);
}

/** What the player says: levels, what it played, marks played, clears done. */
function onPlayer(current, data) {
  if (data.report) {
    const report = data.report;
    stats.outputDb = toDb(report.rms);
    stats.bufferedMs = report.bufferedMs;
    stats.underruns = report.underruns;
    stats.droppedSamples = report.dropped;
    stats.clearedSamples = report.cleared;
    current.ledger.addRuns(report.runs);
    current.ledger.addStalls(report.stalls);
    const now = performance.now();
    if (report.played > current.playedTo) {
      const id = current.ledger.responseAt(current.playedTo) ?? null;
      timeline.span("played", current.reportAt, now, id);
    }
    current.playedTo = report.played;
    current.reportAt = now;
    return;
  }
  const phone = current.client instanceof PhoneLine;
  if (data.marksPlayed) {
    stats.marks.played += data.marksPlayed.length;
    if (phone) { for (const name of data.marksPlayed) current.client.ackMark(name, false); }
  }
  if (data.cleared) {
    const { samples, marks } = data.cleared;
    stats.marks.cleared += marks.length;
    if (phone) { for (const name of marks) current.client.ackMark(name, true); }
    log.add(
      `Clear: the player dropped ${seconds((samples * 1000) / current.rate)} it held` +
        (phone
          ? `, and sent back ${marks.length} waiting mark${marks.length === 1 ? "" : "s"}`
          : ""),
      { at: current.serverSeconds(), kind: "cut" },
    );
  }
}

async function start() {
  const line = selectedLine();
  const attempt = { cancelled: false };
  starting = attempt;
  setButtons(true);
  // The last session's figures go: its view, still lingering, no longer shows anything.
  shown = null;
  resetFigures(line);
  stats.state = "starting";
  setStatus("Asking for the microphone…");
  const rate = line === "phone" ? 8000 : 16000;
  let current = null;
  try {
    const audio = await openAudio({
      rate,
      echoCancellation: ui.aec.checked,
      targetMs: PLAYER_TARGET_MS,
      maxMs: line === "echo" ? 400 : 2000,
    });
    if (attempt.cancelled) {
      audio.close();
      return;
    }
    const startedAt = performance.now();
    current = session = shown = {
      line,
      rate,
      audio,
      client: null,
      view: null,
      ledger: new PlaybackLedger(rate),
      events: [],
      offset: Infinity,
      staleFrom: new Map(),
      marksFrom: new Map(),
      playedTo: 0,
      reportAt: startedAt,
      liveStatus: "",
      interruptedTimer: 0,
      /** Seconds since the session began on the server's clock, once a view message came. */
      serverSeconds: () =>
        Number.isFinite(current.offset) ? (performance.now() - current.offset) / 1000 : null,
    };
    audio.player.port.onmessage = ({ data }) => onPlayer(current, data);
    const handlers = {
      audio: (pcm) => onAudio(current, pcm),
      clear: () => {
        stats.clears++;
        audio.player.port.postMessage({ clear: true });
      },
      mark: (name) => {
        stats.marks.received++;
        audio.player.port.postMessage({ mark: name });
      },
      violation: (text) => {
        stats.violations++;
        log.add(`Protocol: ${text}`, { at: current.serverSeconds(), kind: "error" });
      },
      note: (text) => log.add(text, { at: current.serverSeconds() }),
      rtt: (ms) => {
        stats.rttMs = ms;
        stats.rttSamples.push(ms);
        if (stats.rttSamples.length > 10) stats.rttSamples.shift();
      },
      closed: (event) => {
        if (session !== current) return;
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
      },
    };
    if (line === "echo") {
      setStatus("Connecting…");
      current.client = new EchoLine(handlers);
      await current.client.open(ui.delay.value);
    } else {
      setStatus("Opening the server's view…");
      const id = crypto.randomUUID();
      current.view = await openServerView(id, (event) => {
        // A stopped session's view lingers for its last messages: they are shown while its
        // figures are, never once the next session has taken the log, the lamps and the timeline.
        if (shown !== current) return;
        current.events.push(event);
        // Bounded: a long session sends ten "progress" messages a second.
        if (current.events.length > MAX_VIEW_EVENTS) current.events.splice(0, 1000);
        showViewEvent(current, event, {
          log,
          timeline,
          callerLamp: ui.callerLamp,
          botLamp: ui.botLamp,
        });
      });
      // Stopped while the view opened: no line was opened, so the view has nothing to tell.
      if (attempt.cancelled) {
        current.view.close();
        return;
      }
      setStatus("Connecting…");
      if (line === "phone") {
        current.client = new PhoneLine(handlers);
        await current.client.open(id);
      } else {
        current.client = new WidebandLine(handlers);
        // The player starts as soon as the server's 60 ms lead is in: what is left of the
        // delay behind the pacing estimate is the audio output's own latency.
        await current.client.open(id, Math.min(1000, audio.outputLatencyMs()));
      }
    }
    // Stopped while the line connected: Stop closed the rest (the view after its linger).
    if (attempt.cancelled) {
      current.client.close();
      return;
    }
    audio.mic.port.onmessage = ({ data }) => {
      stats.inputDb = toDb(data.rms);
      const pcm = new Int16Array(data.pcm);
      current.client.sendAudio(pcm);
      stats.sentPackets++;
      stats.sentBytes += pcm.byteLength;
    };
    await audio.ctx.resume();
    // Stopped while the audio resumed: Stop closed everything, and said so.
    if (attempt.cancelled) return;
    starting = null;
    stats.state = "live";
    const delay = Number(ui.delay.value);
    current.liveStatus = line === "echo"
      ? `Live at ${audio.ctx.sampleRate} Hz${delay ? `, echo delayed ${delay} ms` : ""}. Speak!`
      : LIVE_STATUS[line];
    setStatus(current.liveStatus, "live");
  } catch (error) {
    // Stopped before this failed: Stop has said so, and what failed to open is not open.
    if (attempt.cancelled) return;
    if (current) stop();
    starting = session = null;
    setButtons(false);
    stats.state = "error";
    setStatus(`Could not start: ${error.message}`, "error");
  }
}

function stop() {
  if (!session && !starting) return;
  // A start under way (Stop is enabled from its first step) is abandoned: see `starting`.
  if (starting) starting.cancelled = true;
  starting = null;
  const current = session;
  session = null;
  if (current) {
    if (current.interruptedTimer > 0) clearTimeout(current.interruptedTimer);
    current.client?.close();
    // The server's last messages ("ended", the final metrics) come once the line has closed.
    if (current.view) setTimeout(() => current.view.close(), VIEW_LINGER_MS);
    current.audio.close();
  }
  stats.state = "idle";
  stats.inputDb = stats.outputDb = -Infinity;
  // Figures of a session that is over would read as current ones: the counters stay (they say
  // what the session did), the round trip does not.
  stats.rttMs = null;
  stats.rttSamples = [];
  // The parrot is no longer heard here once the line has closed, whether Stop closed it or it
  // was lost: its lamp must not wait for an "ended" that a lost server never sends.
  setLamp(ui.callerLamp, false, "quiet");
  setLamp(ui.botLamp, false, "silent");
  // Nor does the timeline draw them on up to every new now: its open spans end here.
  const now = performance.now();
  timeline.end("caller", now);
  timeline.end("heard", now);
  setButtons(false);
  render();
  setStatus("Stopped. Click Talk to start again.");
}

function interrupt() {
  if (!session || !(session.client instanceof EchoLine)) return;
  session.client.interrupt();
  // The server drops what it has queued; drop what is waiting here too, so silence is immediate.
  session.audio.player.port.postMessage({ clear: true });
  stats.interrupts++;
  if (session.interruptedTimer > 0) clearTimeout(session.interruptedTimer);
  // -1: waiting for the echo to resume (see onAudio), which puts the live status back.
  session.interruptedTimer = -1;
  setStatus("Interrupted: queued audio dropped on both ends.", "live");
}

ui.talk.addEventListener("click", start);
ui.stop.addEventListener("click", stop);
ui.interrupt.addEventListener("click", interrupt);
for (const input of ui.lines) input.addEventListener("change", () => setButtons(false));
resetFigures(selectedLine());
setButtons(false);
render();
