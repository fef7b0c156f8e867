// The demo page's display of the server's view (examples/demo/public/view_display.js), fed
// messages directly: what it writes in the event log. No browser: the log is a stand-in with the
// page's EventLog semantics, and the lamps and timeline are inert.
import assert from "node:assert/strict";
import { showViewEvent } from "../../examples/demo/public/view_display.js";

/** The page's EventLog as far as the display uses it: an entry with a key is updated in place. */
function fakeLog() {
  const entries: { text: string; key?: string }[] = [];
  return {
    entries,
    add(text: string, { key }: { key?: string } = {}) {
      const known = key === undefined ? undefined : entries.find((e) => e.key === key);
      if (known) known.text = text;
      else entries.push({ text, ...(key === undefined ? {} : { key }) });
    },
  };
}

const noop = () => {};
const lamp = () => ({ dataset: {}, lastElementChild: { textContent: "" } });

/**
 * A "progress" message at `t` whose session total of stale audio is `audioMsStale`, and of view
 * messages the server dropped `dropped`.
 */
function progress(t: number, audioMsStale: number, dropped = 0) {
  return {
    type: "progress",
    t,
    playback: {
      speaking: false,
      responseId: null,
      heardMs: 0,
      sentMs: 0,
      queuedMs: 0,
      acknowledged: false,
    },
    stats: {
      audioMsSent: 0,
      audioMsInterrupted: 0,
      audioMsStale,
      interruptions: 0,
      marksSent: 0,
      marksAcknowledged: 0,
      decodeErrors: 0,
    },
    dropped,
  };
}

/** The log lines `messages` leave, in a fresh session. */
function show(messages: object[]) {
  const log = fakeLog();
  const page = {
    log,
    timeline: { span: noop, end: noop, cut: noop, tick: noop },
    callerLamp: lamp(),
    botLamp: lamp(),
  };
  const current = {
    offset: Infinity,
    staleFrom: new Map(),
    marksFrom: new Map(),
    ledger: { addSent: noop, addInterruption: noop },
    serverSeconds: () => null,
  };
  // The page's parts as the display uses them (a log, a timeline, two lamps), not whole elements.
  const parts = page as unknown as Parameters<typeof showViewEvent>[2];
  for (const message of messages) showViewEvent(current, message, parts);
  return log.entries;
}

const staleLines = (entries: { text: string; key?: string }[]) =>
  entries.filter((e) => e.key?.startsWith("stale:")).map((e) => e.text);

// The server's audioMsStale is the session's running total: a response's line counts what it
// grew by from that response's "staleaudio" until the parrot moved on (the sequence a real call
// with two barge-ins produced: parrot-1's rest, 1.02 s, then parrot-2's, 1.24 s).
Deno.test("demo page: each response's stale-audio line counts that response's stale audio only", () => {
  const lines = staleLines(show([
    progress(6400, 0),
    { type: "staleaudio", responseId: "parrot-1", t: 6531 },
    progress(6600, 1020),
    { type: "staleaudio", responseId: "parrot-2", t: 11678 },
    progress(11700, 2260),
  ]));
  assert.deepEqual(lines, [
    "Stale audio of parrot-1 dropped by the server: 1.02 s",
    "Stale audio of parrot-2 dropped by the server: 1.24 s",
  ]);
});

for (
  const [closer, message] of [
    ["the next response", { type: "response", responseId: "parrot-2", durationMs: 1200, t: 9000 }],
    [
      "a stop",
      {
        type: "speakingstop",
        responseId: "parrot-2",
        reason: "played",
        heardMs: 1200,
        acknowledged: false,
        t: 9000,
      },
    ],
  ] as const
) {
  Deno.test(`demo page: a response's stale-audio line stops counting at ${closer}`, () => {
    const lines = staleLines(show([
      progress(6400, 0),
      { type: "staleaudio", responseId: "parrot-1", t: 6531 },
      progress(6600, 1020),
      message,
      progress(11700, 2260),
    ]));
    assert.deepEqual(lines, ["Stale audio of parrot-1 dropped by the server: 1.02 s"]);
  });
}

Deno.test("demo page: view messages the server dropped show as one line that counts up, to the end's count", () => {
  const dropped = (entries: { text: string; key?: string }[]) =>
    entries.filter((e) => e.key === "view:dropped").map((e) => e.text);
  const line = (count: number) =>
    `The server dropped ${count} message${count === 1 ? "" : "s"} of its view ` +
    "(this page fell behind): what is shown here misses them";
  assert.deepEqual(dropped(show([progress(100, 0), progress(200, 0)])), []);
  assert.deepEqual(dropped(show([progress(100, 0), progress(200, 0, 1)])), [line(1)]);
  const ended = { type: "ended", t: 900, code: 1000, summary: "", snapshot: {}, dropped: 9 };
  assert.deepEqual(dropped(show([progress(100, 0, 3), progress(200, 0, 8), ended])), [line(9)]);
});
