// The server's view of a parrot session, shown: each `/view` message lights the lamps, draws on
// the timeline, feeds the playback ledger and writes the event log.

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function setLamp(lamp, on, text) {
  lamp.dataset.on = String(on);
  lamp.lastElementChild.textContent = text;
}

/**
 * Shows one message of the server's view of the session `current` (its ledger, its figures).
 * @param {any} current the session: `ledger`, `events`, `offset`, `hello`, `progress`, …
 * @param {any} event the message
 * @param {{ log: any, timeline: any, callerLamp: HTMLElement, botLamp: HTMLElement }} page
 */
export function showViewEvent(current, event, { log, timeline, callerLamp, botLamp }) {
  const now = performance.now();
  // The server's clock on the page's: its messages arrive late, never early.
  if (typeof event.t === "number") current.offset = Math.min(current.offset, now - event.t);
  const at = (t) => t + current.offset;
  const when = { at: typeof event.t === "number" ? event.t / 1000 : current.serverSeconds() };
  const acked = (e) => e.acknowledged ? "acknowledged" : "estimated";
  switch (event.type) {
    case "hello":
      current.hello = event;
      return log.add(
        event.acknowledged
          ? "Connected to the phone line: the server learns what you heard from the marks " +
            "this page acknowledges"
          : "Connected to the wideband line: raw PCM acknowledges nothing, so what you heard " +
            "is the server's estimate",
        when,
      );
    case "connected":
      return log.add("The server's transport is connected", when);
    case "start":
      return log.add(`Twilio start: stream ${event.streamSid}`, when);
    case "caller":
      setLamp(callerLamp, event.speaking, event.speaking ? "speaking" : "quiet");
      if (event.speaking) timeline.span("caller", at(event.at), null, "caller");
      else timeline.end("caller", at(event.at));
      return log.add(
        event.speaking ? "You started talking" : `You stopped (${seconds(event.durationMs)})`,
        { ...when, kind: "caller" },
      );
    case "response":
      closeStale(current);
      return log.add(
        `Response ${event.responseId} started: your ${seconds(event.durationMs)} phrase`,
        when,
      );
    case "sent":
      current.ledger.addSent(event);
      return timeline.span(
        "sent",
        at(event.firstSentAt),
        at(event.lastSentAt) + (current.hello?.chunkMs ?? 20),
        event.responseId,
      );
    case "speakingstart":
      setLamp(botLamp, true, `speaking ${event.responseId}`);
      timeline.span("heard", at(event.t), null, event.responseId);
      return log.add(
        `${event.responseId} is audible` +
          (current.hello?.acknowledged
            ? " (by the estimate: its marks confirm it as they come back)"
            : " (by the estimate)"),
        when,
      );
    case "speakingstop":
      closeStale(current);
      setLamp(botLamp, false, "silent");
      timeline.end("heard", at(event.t));
      if (event.reason !== "played") return;
      return log.add(
        `${event.responseId} played in full: ${seconds(event.heardMs)} (${acked(event)})`,
        when,
      );
    case "interrupted":
      current.ledger.addInterruption(event);
      timeline.cut(at(event.t));
      return log.add(
        `Interrupted ${event.responseId}: heard ${seconds(event.heardMs)}` +
          (event.responseMs === null ? "" : ` of ${seconds(event.responseMs)}`) +
          ` (${acked(event)}); ${seconds(event.droppedMs)} dropped`,
        { ...when, kind: "cut" },
      );
    case "staleaudio":
      closeStale(current);
      current.staleFrom.set(event.responseId, current.progress?.stats.audioMsStale ?? 0);
      return log.add(`Stale audio of ${event.responseId} dropped by the server`, {
        ...when,
        kind: "cut",
        key: `stale:${event.responseId}`,
      });
    case "progress":
      showDropped(event, when, log);
      return showProgress(current, event, at, when, log, timeline);
    case "metric":
      if (event.name === "voice.turn.latency") {
        return log.add(`The parrot answered ${Math.round(event.value)} ms after you stopped`, {
          ...when,
          kind: "metric",
        });
      }
      if (event.name === "voice.barge_in.stop_latency") {
        return log.add(`The parrot fell silent ${Math.round(event.value)} ms after you cut in`, {
          ...when,
          kind: "metric",
        });
      }
      return;
    case "metrics":
      current.snapshot = event.snapshot;
      return;
    case "error":
      return log.add(`Server: ${event.code} error: ${event.message}`, { ...when, kind: "error" });
    case "ended":
      current.snapshot = event.snapshot;
      current.ended = event;
      setLamp(botLamp, false, "silent");
      showDropped(event, when, log);
      return log.add(`Session ended (${event.code}): ${event.summary}`, when);
    case "expired":
      return log.add("The server's view gave up waiting for the session", {
        ...when,
        kind: "error",
      });
    case "lost":
      // The lamps show the server's view: without it they would stay as they last were.
      setLamp(callerLamp, false, "quiet");
      setLamp(botLamp, false, "silent");
      // Nor would the timeline's open spans ever end: they would run on to every new now.
      timeline.end("caller", now);
      timeline.end("heard", now);
      return log.add("Lost the server's view", { ...when, kind: "error" });
  }
}

/**
 * The server counts stale audio for the whole session: a response's share is what the count grew
 * by from its "staleaudio" on, until another response's stale audio is dropped, a new response
 * starts or one stops (the parrot drops an interrupted reply's rest at once, so by then it has
 * moved on). Its line keeps the figure the last progress gave it.
 */
function closeStale(current) {
  current.staleFrom.clear();
}

/** One line, counting up, once the server has had to drop messages of its view. */
function showDropped(event, when, log) {
  if (!(event.dropped > 0)) return;
  log.add(
    `The server dropped ${event.dropped} message${event.dropped === 1 ? "" : "s"} of its view ` +
      "(this page fell behind): what is shown here misses them",
    { ...when, kind: "error", key: "view:dropped" },
  );
}

function showProgress(current, event, at, when, log, timeline) {
  const before = current.progress?.stats;
  current.progress = event;
  const { marksAcknowledged, audioMsStale } = event.stats;
  if (before && marksAcknowledged > before.marksAcknowledged) {
    timeline.tick("heard", at(event.t));
    // One line per response, counting up: a mark comes back every 250 ms of audio.
    const id = event.playback.responseId;
    if (!current.marksFrom.has(id)) current.marksFrom.set(id, before.marksAcknowledged);
    const count = marksAcknowledged - current.marksFrom.get(id);
    log.add(`${id}: ${count} mark${count === 1 ? "" : "s"} acknowledged by this page's player`, {
      ...when,
      key: `marks:${id}`,
    });
  }
  for (const [id, from] of current.staleFrom) {
    if (audioMsStale <= from) continue;
    log.add(`Stale audio of ${id} dropped by the server: ${seconds(audioMsStale - from)}`, {
      kind: "cut",
      key: `stale:${id}`,
    });
  }
}
