// Urgent frames (urgent messages, an interruption's clear) wait in one list for sending to begin:
// the socket open, the serializer set up, and the far end's start come where its serializer
// awaits one (`awaitsStart`). They leave the moment the last of those is done, in the order
// taken, ahead of the non-urgent frames queued; an interruption taken before sends no clear
// (nothing has left to clear); where the session ends first they are dropped, counted in
// `framesDroppedOnClose`, and the serializer is never asked for them.
//
// The far end is Twilio's, from "Media Streams - WebSocket Messages"
// (twilio.com/docs/voice/media-streams/websocket-messages): once the WebSocket is up Twilio sends
// `connected` ({"event":"connected","protocol":"Call","version":"1.0.0"}), then `start`, which
// names the stream (`streamSid`), then `media`; every message to Twilio (`media`, `mark`,
// `clear`) carries that `streamSid`, so nothing can be addressed to the stream before `start`.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type SerializerAudioSetup,
  type SerializerContext,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { TWILIO_START as START } from "./serializers/telephony/_hang_up_session.ts";

const CONNECTED = JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" });

const greeting = { event: "greeting", text: "hello" };
const transcript = { event: "transcript", text: "hi" };
const queued = { event: "queued" };

/** Twilio's serializer, its set-up held until `load()` when `slow`; every frame it is asked. */
class WatchedTwilio extends TwilioSerializer {
  readonly asked: string[] = [];
  load: () => void = () => {};
  readonly #slow: boolean;
  constructor(slow: boolean) {
    super();
    this.#slow = slow;
  }
  override setup(audio: SerializerAudioSetup): void {
    if (!this.#slow) return super.setup(audio);
    // A codec loaded asynchronously: nothing may be encoded before it is.
    return new Promise<void>((resolve) => {
      this.load = () => {
        super.setup(audio);
        resolve();
      };
    }) as unknown as void;
  }
  override serialize(frame: Frame) {
    this.asked.push(frame.type);
    return super.serialize(frame);
  }
}

/** A Twilio session, its socket `connecting` and set-up `slow` as asked; what Twilio receives. */
function twilioSession({ connecting = false, slow = false, sendTimeoutMs = 5000 } = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting });
  const serializer = new WatchedTwilio(slow);
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    clock,
    sendTimeoutMs,
    openTimeoutMs: 1000,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const wire: Record<string, unknown>[] = [];
  pair.client.addEventListener("message", (e) => wire.push(JSON.parse((e as MessageEvent).data)));
  return { clock, pair, serializer, transport, errors, wire };
}

type Session = ReturnType<typeof twilioSession>;

/** The bot's frames before sending begins: queued, urgent, an interruption, urgent again. */
async function botSpeaksEarly(s: Session): Promise<void> {
  s.transport.send({ type: "message", message: queued });
  s.transport.send({ type: "message", message: greeting, urgent: true });
  const result = await s.transport.interrupt();
  assert.equal(result.heardMs, 0);
  s.transport.send({ type: "message", message: transcript, urgent: true });
}

/** The far end's two first messages, as Twilio sends them once the socket is up. */
function twilioStarts(s: Session): void {
  s.pair.client.send(CONNECTED);
  s.pair.client.send(START);
}

async function end(s: Session): Promise<void> {
  void s.transport.close();
  await s.clock.tick(10_000);
  await s.transport.closed;
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0, "no timer left behind");
}

Deno.test("Twilio: urgent messages and an interrupt() before `start` leave nothing on the wire until it comes, then the messages first, in order, with no clear", async () => {
  const s = twilioSession();
  await s.clock.tick(1);
  assert.equal(s.transport.connected, true, "open and connected, awaiting Twilio's start");
  await botSpeaksEarly(s);
  s.pair.client.send(CONNECTED);
  await s.clock.tick(1000);
  assert.equal(s.wire.length, 0, "nothing may go to Twilio before its start names the stream");
  assert.deepEqual(s.serializer.asked, [], "nor is the serializer asked for it yet");
  s.pair.client.send(START);
  // At once, as the start is read: the fake clock does not move.
  await s.pair.client.waitFor(() => s.wire.length >= 3);
  assert.deepEqual(s.wire.slice(0, 3), [greeting, transcript, queued]);
  await s.clock.tick(100);
  assert.equal(s.wire.filter((m) => m.event === "clear").length, 0, "nothing had left to clear");
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  assert.equal(s.errors.length, 0, String(s.errors));
  // What is sent from now on is addressed to the stream, and urgent messages go at once.
  s.transport.send({ type: "audio", audio: new Uint8Array(320), sampleRate: 8000, channels: 1 });
  const before = s.transport.stats.messagesOut;
  s.transport.send({ type: "message", message: { event: "late" }, urgent: true });
  assert.equal(s.transport.stats.messagesOut, before + 1, "sent in the call");
  await s.clock.tick(100);
  const media = s.wire.filter((m) => m.event === "media");
  assert.ok(media.length > 0);
  for (const m of media) assert.equal(m.streamSid, "MZ1");
  await end(s);
});

Deno.test("Twilio: an interrupt() once `start` came sends the clear, addressed to the stream", async () => {
  const s = twilioSession();
  twilioStarts(s);
  await s.clock.tick(1);
  await s.transport.interrupt();
  assert.deepEqual(s.wire, [{ event: "clear", streamSid: "MZ1" }]);
  await end(s);
});

// The three waits together, in each order they can end in (`start` comes over the socket, so
// after its open; it may come while the set-up runs, read once that is done).
const orders = [
  ["open", "set-up", "start"],
  ["set-up", "open", "start"],
  ["open", "start", "set-up"],
] as const;

for (const order of orders) {
  Deno.test(`Twilio, the socket connecting, an asynchronous set-up, the start awaited (${order.join(", ")}): urgent frames leave as the last is done, in order, ahead of those queued`, async () => {
    const s = twilioSession({ connecting: true, slow: true });
    await botSpeaksEarly(s);
    const steps = {
      "open": () => s.pair.open(),
      "set-up": () => s.serializer.load(),
      "start": () => twilioStarts(s),
    };
    for (const step of order.slice(0, 2)) {
      steps[step]();
      await s.clock.tick(100);
      assert.equal(s.wire.length, 0, `after ${step}: nothing leaves yet`);
      assert.deepEqual(s.serializer.asked, []);
    }
    steps[order[2]]();
    // At once: not a task on, with "connected" (the fake clock does not move).
    await s.pair.client.waitFor(() => s.wire.length >= 2);
    assert.deepEqual(s.wire.slice(0, 2), [greeting, transcript]);
    await s.clock.tick(100);
    assert.deepEqual(s.wire.slice(0, 3), [greeting, transcript, queued]);
    assert.equal(s.wire.filter((m) => m.event === "clear").length, 0, "nothing had left to clear");
    assert.equal(s.serializer.asked.includes("interruption"), false);
    assert.equal(s.transport.stats.framesDroppedOnClose, 0);
    assert.equal(s.errors.length, 0, String(s.errors));
    await end(s);
  });
}

// The session ending while urgent frames wait, in each state that holds them: they are dropped,
// counted, and the serializer is never asked (its session is over; Twilio's stream never began).
const endings: {
  name: string;
  /** Brings the session to the state. */
  reach: (s: Session) => Promise<void>;
  /** Ends it: the far end or the bot. */
  ends: (s: Session) => Promise<void> | void;
}[] = [
  {
    name: "the socket still connecting, never opening (openTimeoutMs)",
    reach: async () => {},
    ends: (s) => s.clock.tick(1000),
  },
  {
    name: "the socket still connecting, the bot closing",
    reach: async () => {},
    ends: (s) => s.transport.close(),
  },
  {
    name: "the set-up under way, the caller hanging up",
    reach: async (s) => {
      s.pair.open();
      await s.clock.tick(10);
    },
    ends: (s) => s.pair.client.close(1000, "bye"),
  },
  {
    name: "the set-up under way, the bot closing",
    reach: async (s) => {
      s.pair.open();
      await s.clock.tick(10);
    },
    ends: (s) => s.transport.close(),
  },
  {
    name: "the start awaited, the caller hanging up",
    reach: async (s) => {
      s.pair.open();
      s.serializer.load();
      s.pair.client.send(CONNECTED);
      await s.clock.tick(10);
    },
    ends: (s) => s.pair.client.close(1000, "bye"),
  },
  {
    name: "the start awaited, the bot closing",
    reach: async (s) => {
      s.pair.open();
      s.serializer.load();
      await s.clock.tick(10);
    },
    ends: (s) => s.transport.close(),
  },
];

for (const ending of endings) {
  Deno.test(`Twilio, urgent frames held, the session ending with ${ending.name}: dropped, counted, the serializer never asked`, async () => {
    const s = twilioSession({ connecting: true, slow: true });
    await botSpeaksEarly(s);
    await ending.reach(s);
    void ending.ends(s);
    await s.clock.tick(10_000);
    await s.transport.closed;
    // A set-up that finishes after the end does not bring them back.
    s.serializer.load();
    await s.clock.runAll();
    assert.equal(s.wire.length, 0);
    assert.deepEqual(s.serializer.asked, [], "no frame serialized: the session is over");
    // The greeting, the transcript and the queued message; no clear was held.
    assert.equal(s.transport.stats.framesDroppedOnClose, 3);
    assert.equal(s.transport.stats.encodeErrors, 0);
    assert.deepEqual(s.errors.filter((e) => e.code === "encode"), []);
    assert.equal(s.clock.pendingTimers, 0);
  });
}

Deno.test('Twilio, no `start` within sendTimeoutMs: the "timeout" error, then the urgent frames held leave, in order, and sending begins', async () => {
  const s = twilioSession({ sendTimeoutMs: 2000 });
  await s.clock.tick(1);
  await botSpeaksEarly(s);
  await s.clock.tick(1998);
  assert.equal(s.wire.length, 0);
  await s.clock.tick(1);
  assert.deepEqual(s.errors.map((e) => e.code), ["timeout"]);
  assert.match(s.errors[0]!.message, /no start message from the far end within 2000 ms/);
  assert.deepEqual(s.wire.slice(0, 3), [greeting, transcript, queued]);
  assert.equal(s.wire.filter((m) => m.event === "clear").length, 0);
  await end(s);
});

Deno.test("Twilio: a bad urgent message held for `start` is refused as it would have been, when the start lets it go: counted, reported, the others sent", async () => {
  const s = twilioSession();
  await s.clock.tick(1);
  s.transport.send({ type: "message", message: greeting, urgent: true });
  s.transport.send({ type: "message", message: undefined, urgent: true }); // not JSON-able
  s.transport.send({ type: "message", message: transcript, urgent: true });
  await s.clock.tick(100);
  assert.equal(s.errors.length, 0, "held, not serialized yet");
  twilioStarts(s);
  await s.pair.client.waitFor(() => s.wire.length >= 2);
  assert.deepEqual(s.wire.slice(0, 2), [greeting, transcript]);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["encode", false]]);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.equal(s.transport.connected, true, "the session goes on");
  await end(s);
});

// ---- a serializer's own messages (`SerializerContext.send`) while the socket connects ----------

/** JSON out; its set-up greets the far end through its context, then waits for `load()` if slow. */
function greetingSerializer(slow: boolean) {
  let context: SerializerContext | undefined;
  const setUp = { load: () => {} };
  const serializer: FrameSerializer = {
    bind: (c) => void (context = c),
    setup() {
      context!.send(JSON.stringify({ event: "hello" }));
      return slow ? new Promise<void>((resolve) => (setUp.load = resolve)) : undefined;
    },
    serialize: (frame) => frame.type === "message" ? JSON.stringify(frame.message) : null,
    deserialize: () => null,
  };
  return { serializer, setUp };
}

function connectingSession(serializer: FrameSerializer) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  const transport = new WebSocketTransport(pair.server, { serializer, clock, openTimeoutMs: 1000 });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const wire: Record<string, unknown>[] = [];
  pair.client.addEventListener("message", (e) => wire.push(JSON.parse((e as MessageEvent).data)));
  return { clock, pair, transport, errors, wire };
}

Deno.test("a serializer's own message sent while the socket connects leaves as it opens, first, not lost", async () => {
  const { serializer } = greetingSerializer(false);
  const s = connectingSession(serializer);
  s.transport.send({ type: "message", message: greeting, urgent: true });
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  s.pair.open();
  await s.pair.client.waitFor(() => s.wire.length >= 2);
  assert.deepEqual(s.wire, [{ event: "hello" }, greeting]);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  assert.equal(s.errors.length, 0, String(s.errors));
  await s.clock.tick(10);
  void s.transport.close();
  await s.clock.tick(5000);
  await s.transport.closed;
});

Deno.test("a serializer's own message waits for the open alone, not for its set-up, which urgent frames wait for", async () => {
  const { serializer, setUp } = greetingSerializer(true);
  const s = connectingSession(serializer);
  s.transport.send({ type: "message", message: greeting, urgent: true });
  s.pair.open();
  await s.pair.client.waitFor(() => s.wire.length >= 1);
  await s.clock.tick(100);
  assert.deepEqual(s.wire, [{ event: "hello" }], "the urgent message waits for the set-up");
  setUp.load();
  await s.pair.client.waitFor(() => s.wire.length >= 2);
  assert.deepEqual(s.wire, [{ event: "hello" }, greeting]);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  void s.transport.close();
  await s.clock.tick(5000);
  await s.transport.closed;
});

Deno.test("a serializer's own message held for a socket that never opens is dropped at openTimeoutMs, counted", async () => {
  const { serializer } = greetingSerializer(false);
  const s = connectingSession(serializer);
  s.transport.send({ type: "message", message: greeting, urgent: true });
  await s.clock.tick(1000);
  assert.equal((await s.transport.closed).code, 1006);
  assert.equal(s.wire.length, 0);
  assert.equal(s.transport.stats.framesDroppedOnClose, 2, "its message and the urgent one");
  assert.equal(s.transport.stats.messagesOut, 0);
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});
