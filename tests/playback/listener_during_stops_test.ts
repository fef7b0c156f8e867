// An interruption (or the end of the session) stops every response there at once, and each stop,
// and each start of one sent but not begun where the far end plays on, is dispatched to listeners
// that may do anything: read `transport.playback`, send, interrupt, close. None of that may change
// the events: one speakingstop per speakingstart, in order, and no other response starts while
// one is open. Reading the state tells, it never moves the tracker on in the middle of the stops;
// a response a listener stops is not stopped again by the stops it interrupted.
import assert from "node:assert/strict";
import { type Frame, type SpeakingEvent, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono

const audio = (ms: number, responseId?: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * BYTES_PER_MS).fill(1),
  sampleRate: 16000,
  channels: 1,
  ...(responseId === undefined ? {} : { responseId }),
});

function record(
  t: WebSocketTransport,
  on: { start?: (e: SpeakingEvent) => void; stop?: (e: SpeakingEvent) => void } = {},
): string[] {
  const events: string[] = [];
  t.addEventListener("speakingstart", (e) => {
    events.push(`start ${e.responseId}`);
    on.start?.(e);
  });
  t.addEventListener("speakingstop", (e) => {
    events.push(`stop ${e.responseId} ${e.reason}`);
    on.stop?.(e);
  });
  return events;
}

/** One speakingstop per speakingstart, in order: never a start while another is open. */
function assertPaired(events: string[]): void {
  let open: string | undefined;
  for (const e of events) {
    if (e.startsWith("start")) {
      assert.equal(open, undefined, `a start while ${open} has not stopped: ${events}`);
      open = e.slice("start ".length);
    } else {
      assert.equal(open, e.split(" ")[1], `a stop of what is not open: ${events}`);
      open = undefined;
    }
  }
}

// ---- reading the state in a stop's listener --------------------------------------------------

/**
 * Three responses sent at once (b, an untagged one, c) to a far end whose acknowledgements are
 * late or never come; interrupted while b plays, the other two sent but not begun.
 */
async function readingSession(
  reads: boolean,
  acks: boolean,
  jitterMs: number,
  interruptAt: number,
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 40,
    clock,
  });
  new FakeFarEnd(clock, pair.client, { jitterMs, bytesPerMs: BYTES_PER_MS, acks });
  const states: boolean[] = [];
  const events = record(t, {
    stop: () => {
      if (reads) states.push(t.playback.speaking); // e.g. console.log(transport.playback)
    },
  });
  t.send(audio(74, "b"));
  t.send(audio(10));
  t.send(audio(31.25, "c"));
  await clock.tick(interruptAt);
  void t.interrupt();
  await clock.tick(100);
  void t.close();
  await clock.tick(2000);
  return { events, states };
}

for (
  const [name, acks, jitterMs, interruptAt] of [
    ["a far end that never acknowledges", false, 40, 300],
    ["a far end acknowledging 200 ms behind (playoutDelayMs says 40)", true, 200, 150],
  ] as const
) {
  Deno.test(`${name}: reading transport.playback in a speakingstop listener does not change the events`, async () => {
    const plain = await readingSession(false, acks, jitterMs, interruptAt);
    const reading = await readingSession(true, acks, jitterMs, interruptAt);
    assert.deepEqual(plain.events, ["start b", "stop b interrupted"]);
    assert.deepEqual(reading.events, plain.events);
    assert.deepEqual(reading.states, [false], "a stop's listener sees nothing playing");
  });
}

// ---- a listener of a start an interruption dispatches ------------------------------------------

/** Raw PCM at 16 kHz on the fake clock, 40 ms of playout delay assumed. */
function rawPcmSession() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    playoutDelayMs: 40,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  return { clock, pair, t };
}

/**
 * Raw PCM (no clear: what was sent plays on) or a peer that dropped the connection (the clear
 * could not be sent): response a, sent but not begun by the estimate, begins and stops in the
 * interruption; `onStart` is its speakingstart listener.
 */
async function playsOnSession(dropPeer: boolean, onStart: (t: WebSocketTransport) => void) {
  const { clock, pair, t } = rawPcmSession();
  let first = true;
  const events = record(t, {
    start: () => {
      if (first) onStart(t);
      first = false;
    },
  });
  await clock.tick(1);
  t.send(audio(200, "a"));
  await clock.tick(10); // sent, not yet audible by the estimate (playoutDelayMs 40)
  if (dropPeer) pair.client.terminate();
  void t.interrupt();
  await clock.tick(100);
  void t.close();
  await clock.tick(2000);
  return events;
}

for (const dropPeer of [false, true]) {
  const how = dropPeer ? "peer dropped the connection" : "raw PCM";
  Deno.test(`${how}: interrupt() in a speakingstart an interruption dispatched: one speakingstop`, async () => {
    const events = await playsOnSession(dropPeer, (t) => void t.interrupt());
    assert.deepEqual(events, ["start a", "stop a interrupted"]);
  });

  Deno.test(`${how}: close() in a speakingstart an interruption dispatched: one speakingstop`, async () => {
    const events = await playsOnSession(dropPeer, (t) => void t.close());
    assert.equal(events.filter((e) => e.startsWith("stop")).length, 1, String(events));
    assertPaired(events);
  });

  Deno.test(`${how}: reading transport.playback in a speakingstart an interruption dispatched`, async () => {
    let speaking: boolean | undefined;
    const events = await playsOnSession(dropPeer, (t) => (speaking = t.playback.speaking));
    assert.deepEqual(events, ["start a", "stop a interrupted"]);
    assert.equal(speaking, true);
  });
}

Deno.test("raw PCM: a response sent from a speakingstart an interruption dispatched starts after", async () => {
  const events = await playsOnSession(false, (t) => void t.send(audio(20, "r2")));
  assert.deepEqual(events, ["start a", "stop a interrupted", "start r2", "stop r2 played"]);
});

Deno.test("raw PCM: two responses not begun, interrupt() and reads from every listener", async () => {
  const { clock, t } = rawPcmSession();
  const listener = () => {
    void t.playback;
    void t.interrupt();
  };
  const events = record(t, { start: listener, stop: listener });
  await clock.tick(1);
  t.send(audio(20, "a"));
  t.send(audio(20, "b"));
  await clock.tick(10);
  void t.interrupt();
  await clock.tick(100);
  void t.close();
  await clock.tick(2000);
  // Not cleared, both play on: each begins and stops once, whatever its listeners do.
  assertPaired(events);
  assert.deepEqual(events, ["start a", "stop a interrupted", "start b", "stop b interrupted"]);
});
