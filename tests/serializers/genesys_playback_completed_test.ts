// The goodbye's `disconnect` waits for the Audio Connector's `playback_completed`.
//
// Genesys's Audio Connector client says `playback_started` when it begins to play the server's
// audio and `playback_completed` when what it was sent has played: Genesys's reference server
// (GenesysCloudBlueprints/audioconnector-server-reference-implementation) declares both as client
// messages with empty parameters (src/protocol/voice-bots.ts: PlaybackStartedMessage,
// PlaybackCompletedMessage; src/protocol/message.ts lists them in ClientMessage) and its handlers
// (src/websocket/message-handlers/handlers/playback-{started,completed}-message-handler.ts) turn
// the session's "audio playing" on and off. The transport hangs up on its estimate of the playout
// (`playoutDelayMs` 0 by default), and Genesys's own buffer still plays then: a `disconnect` sent
// on the estimate cut the goodbye short (the caller heard 840 of its 1000 ms).
//
// The Audio Connector client (fixtures/audio_connector_client.ts) is built from that reference and
// from the AudioHook session rules the serializer already follows; it plays the bot's PCMU behind a
// jitter buffer and reports its playback as the Audio Connector does.
import assert from "node:assert/strict";
import type { TransportOptions } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import type { SerializedMessage } from "../../src/serializer.ts";
import { GenesysSerializer, type GenesysSerializerOptions } from "../../src/serializers/genesys.ts";
import {
  audioConnectorSession,
  type AudioConnectorSessionOptions,
  speech,
} from "./fixtures/audio_connector_client.ts";
import { SESSION } from "./fixtures/genesys_session.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const session = (
  client: AudioConnectorSessionOptions["client"] = {},
  serializer: GenesysSerializerOptions = {},
  transport: TransportOptions = {},
) => audioConnectorSession({ client, serializer, transport });

type Session = ReturnType<typeof session>;

/** An Audio Connector `open`'s parameters, for a serializer driven by hand. */
const OPEN = {
  organizationId: "d7934305-0972-4844-938e-9060eef73d05",
  conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
  participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "", aniName: "", dnis: "" },
  media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
  inputVariables: {},
};

/**
 * Binds `genesys` to a recording context (with `clock`, or none); returns what it sends and
 * reports, and `client`, a function sending it the client's messages, numbered and acknowledging
 * all.
 */
function bound(genesys: GenesysSerializer, clock?: FakeClock) {
  const { context, sent, reported } = recordingContext(clock ? { clock } : {});
  genesys.bind(context);
  genesys.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  let seq = 0;
  const client = (type: string, parameters: Record<string, unknown>) =>
    genesys.deserialize(JSON.stringify({
      version: "2",
      type,
      seq: ++seq,
      serverseq: sent.length,
      id: SESSION,
      position: "PT0S",
      parameters,
    }));
  return { client, sent, reported };
}

/** A session on the fake clock whose first 200 ms packet Genesys has begun to play. */
function playing() {
  const clock = new FakeClock();
  const genesys = new GenesysSerializer();
  const { client, sent } = bound(genesys, clock);
  client("open", OPEN);
  genesys.serialize(speech(200));
  client("playback_started", {});
  return { clock, sent, genesys, client };
}

const types = (sent: SerializedMessage[]) => sent.map((m) => JSON.parse(m as string).type);

async function run(s: Session, ms: number): Promise<void> {
  const until = s.clock.now() + ms;
  while (s.clock.now() < until) await s.clock.tick(10);
}

/** Opens the session (the bot's `start`), 100 ms in. */
async function opened(s: Session): Promise<void> {
  s.client.open();
  await run(s, 100);
  assert.deepEqual(s.botSaw, ["start"]);
}

Deno.test("Genesys: the goodbye's disconnect waits for playback_completed, then the close transaction runs", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end", reason: "goodbye" });
  await run(s, 5000);

  // The goodbye went at 100 ms and played from 400 to 1400 ms: the disconnect waited for it,
  // although the transport's estimate had it played at 1100 ms.
  assert.equal(s.client.playsUntil, 1400);
  assert.equal(s.client.disconnectAt, 1400, "disconnect once Genesys said it had played it all");
  assert.deepEqual(s.client.completedAt, [1400]);
  const disconnect = s.client.messages("disconnect")[0]!;
  assert.deepEqual(disconnect.parameters, { reason: "completed", info: "goodbye" });
  // Numbered after everything sent before it, acknowledging Genesys's playback_completed (seq 3).
  assert.deepEqual([disconnect.seq, disconnect.clientseq], [2, 3]);
  // Genesys's close is answered and Genesys closes: the ending is ours, on time, no error.
  assert.deepEqual(s.client.messages("closed").map((m) => m.at), [1400]);
  assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "local" });
  assert.deepEqual(s.errors, []);
  // The bot still hears both playback messages, as before.
  assert.deepEqual(s.botSaw, ["start", "playback_started", "playback_completed", "end"]);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("Genesys: a playback_completed that never comes holds the goodbye only playbackCompletedTimeoutMs", async () => {
  for (
    const [options, bound] of [[{}, 2000], [{ playbackCompletedTimeoutMs: 250 }, 250]] as const
  ) {
    const s = session({ completes: false }, options);
    await opened(s);
    void s.transport.send(speech(1000, "bye"));
    void s.transport.send({ type: "end" });
    await run(s, 6000);

    // The estimate, corrected at playback_started (Genesys plays 300 ms behind it), said played
    // at 1400 ms; the disconnect waited the bound past it, then went.
    assert.equal(s.client.disconnectAt, 1400 + bound, `bound ${bound}`);
    assert.deepEqual(s.errors.map((e) => [e.code, e.fatal, e.message]), [[
      "timeout",
      false,
      `genesys: Genesys did not say playback_completed within ${bound} ms of the end: ` +
      "disconnect sent anyway, the caller may not have heard all of the goodbye",
    ]]);
    // The close transaction then runs as usual: the transport's closeTimeoutMs began only now.
    assert.deepEqual(s.client.messages("closed").map((m) => m.at), [1400 + bound]);
    assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "local" });
    assert.equal(s.clock.pendingTimers, 0);
  }
});

Deno.test("Genesys: a playback_completed for one packet, crossing the next on its way, does not let the goodbye go", async () => {
  // Audio paced in real time and played as it comes, with no buffer to spare: Genesys runs dry
  // after one packet and says playback_completed while the next is on its way (sent already),
  // then playback_started for that one. The completion does not cover it; the start says so.
  const { clock, sent, genesys, client } = playing();
  genesys.serialize(speech(200)); // the next packet leaves…
  client("playback_completed", {}); // …as Genesys says it has played the first
  client("playback_started", {}); // and begins to play the next
  const ended = genesys.serialize({ type: "end" });
  assert.ok(ended instanceof Promise, "the goodbye waits");
  await clock.tick(100);
  assert.deepEqual(types(sent), ["opened"]);
  client("playback_completed", {});
  assert.equal(await ended, null);
  assert.deepEqual(types(sent), ["opened", "disconnect"]);
  assert.equal(genesys.peerCloses, true);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Genesys: a playback_completed that crossed the goodbye's last packet does not let the goodbye go", async () => {
  // As above, but the goodbye's `end` comes before that packet's playback_started (Genesys fills
  // its buffer again before it plays): the completion, which the reference client sends when it
  // has played what it had (src/websocket/message-handlers/handlers/playback-completed-message-
  // handler.ts turns "audio playing" off), covers the packet before, not the one that left as it
  // came; Genesys has that still to play, and says playback_completed again once it has.
  const { clock, sent, genesys, client } = playing();
  await clock.tick(200);
  genesys.serialize(speech(200)); // the goodbye's last packet leaves…
  client("playback_completed", {}); // …as Genesys says it has played the first
  await clock.tick(180); // the transport's estimate: the last packet played, the end follows
  const ended = genesys.serialize({ type: "end" });
  assert.ok(ended instanceof Promise, "the goodbye waits for the packet still to play");
  assert.deepEqual(types(sent), ["opened"]);
  client("playback_started", {});
  await clock.tick(200);
  client("playback_completed", {});
  assert.equal(await ended, null);
  assert.deepEqual(types(sent), ["opened", "disconnect"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Genesys: a goodbye with nothing unplayed since the last playback_completed goes at once", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(500));
  await run(s, 1500); // played from 400 to 900 ms, completed
  assert.deepEqual(s.client.completedAt, [900]);
  const endAt = s.clock.now();
  void s.transport.send({ type: "end" });
  await run(s, 3000);
  assert.equal(s.client.disconnectAt, endAt);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "local" });
});

Deno.test("Genesys: a client that never reports its playback is not waited for", async () => {
  // An AudioHook client without the Audio Connector's playback messages: its silence says
  // nothing, so the goodbye goes on the estimate, as before, and no timeout is reported.
  const s = session({ reports: false });
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end" });
  await run(s, 3000);
  assert.equal(s.client.disconnectAt, 1100);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "local" });
});

Deno.test("Genesys: a barge-in goes at once, and leaves nothing for a goodbye to wait for", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(2000));
  await run(s, 600); // Genesys plays it from 400 ms and has said playback_started
  assert.deepEqual(s.botSaw, ["start", "playback_started"]);
  const interruptAt = s.clock.now();
  await s.transport.interrupt();
  const bargeIn = s.client.messages("event")[0]!;
  assert.equal(bargeIn.at, interruptAt, "the barge-in is not held");
  assert.deepEqual(bargeIn.parameters, { entities: [{ type: "barge_in", data: {} }] });
  // Genesys dropped what it held and (here) does not say playback_completed for it: the goodbye
  // written next, with no audio of its own, is not held for a completion that will not come.
  const endAt = s.clock.now();
  void s.transport.send({ type: "end" });
  await run(s, 3000);
  assert.deepEqual(s.client.completedAt, []);
  assert.equal(s.client.disconnectAt, endAt);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "local" });
});

Deno.test("Genesys: while the goodbye waits, a ping is answered, numbered before the disconnect", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end" });
  await run(s, 1100); // the estimate said played at 1100 ms: the disconnect is waiting
  assert.equal(s.client.disconnectAt, -1);
  s.client.send("ping", {});
  await run(s, 10);
  const pong = s.client.messages("pong")[0]!;
  assert.equal(pong.seq, 2);
  await run(s, 3000);
  const disconnect = s.client.messages("disconnect")[0]!;
  assert.deepEqual([disconnect.at, disconnect.seq], [1400, 3]);
  assert.deepEqual(s.client.messages("closed").map((m) => m.seq), [4]);
  assert.deepEqual(s.errors, []);
  await s.transport.closed;
});

Deno.test("Genesys: its own close while the goodbye waits is answered, and no disconnect follows", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end" });
  await run(s, 1100);
  assert.equal(s.client.disconnectAt, -1);
  s.client.send("close", { reason: "end" }); // the caller hung up first
  await run(s, 3000);
  assert.deepEqual(s.client.messages("disconnect"), []);
  assert.equal(s.client.messages("closed").length, 1);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(s.botSaw, ["start", "playback_started", "end"]);
  await s.transport.closed;
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("Genesys: a cancel while the goodbye waits hangs up at once", async () => {
  const s = session({ completes: false });
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end", reason: "goodbye" });
  // The estimate, corrected at playback_started, said played at 1400 ms; playback_completed never
  // comes: the disconnect is waiting.
  await run(s, 1500);
  assert.equal(s.client.disconnectAt, -1);
  const cancelAt = s.clock.now();
  void s.transport.send({ type: "cancel" });
  await run(s, 10);
  assert.equal(s.client.disconnectAt, cancelAt);
  assert.deepEqual(s.client.messages("disconnect").map((m) => m.parameters), [
    { reason: "completed", info: "goodbye" },
  ]);
  await run(s, 3000);
  assert.deepEqual(s.errors, []);
  await s.transport.closed;
});

Deno.test("Genesys: playbackCompletedTimeoutMs is checked; 0, or a context with no clock, never waits", () => {
  for (const bad of [-1, NaN, Infinity, 60_001]) {
    assert.throws(
      () => new GenesysSerializer({ playbackCompletedTimeoutMs: bad }),
      RangeError,
      String(bad),
    );
  }
  const step = (genesys: GenesysSerializer, clock?: FakeClock) => {
    const { client, sent } = bound(genesys, clock);
    client("open", OPEN);
    assert.ok(genesys.serialize(speech(100)) instanceof Uint8Array);
    client("playback_started", {});
    return { answer: genesys.serialize({ type: "end" }), sent };
  };
  for (
    const [genesys, clock] of [
      [new GenesysSerializer({ playbackCompletedTimeoutMs: 0 }), new FakeClock()],
      [new GenesysSerializer(), undefined],
    ] as const
  ) {
    const { answer } = step(genesys, clock);
    assert.equal(typeof answer, "string", "the disconnect, at once");
    assert.equal(JSON.parse(answer as string).type, "disconnect");
    assert.equal(genesys.peerCloses, true);
  }
  // With a clock, the same end waits: a promise, the session not yet ending.
  const waiting = new GenesysSerializer();
  const { answer, sent } = step(waiting, new FakeClock());
  assert.ok(answer instanceof Promise);
  assert.equal(waiting.peerCloses, false);
  assert.equal(waiting.finish(), null); // the session ended: the wait is dropped with it
  assert.deepEqual(types(sent), ["opened"]);
});

Deno.test("Genesys: the goodbye's wait stays under the transport's sendTimeoutMs, so a disconnect still goes", async () => {
  // A bound longer than the transport allows a serialize: past sendTimeoutMs the session would end
  // with 1011 and no disconnect at all; the wait ends 250 ms before that instead.
  const s = session({ completes: false }, { playbackCompletedTimeoutMs: 4000 }, {
    sendTimeoutMs: 1000,
  });
  const { transport, errors, client } = s;
  await opened(s);
  void transport.send(speech(1000, "bye"));
  void transport.send({ type: "end" });
  await run(s, 6000);
  assert.equal(client.disconnectAt, 1400 + 750); // the estimate corrected at playback_started
  assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["timeout", false]]);
  assert.match(errors[0]!.message, /within 750 ms/);
  assert.deepEqual(await transport.closed, { code: 1005, reason: "", initiator: "local" });
});

Deno.test("Genesys: a playback_completed just after a barge-in lets the goodbye go at once", async () => {
  // The barge-in drops what Genesys holds (the `event` with a `barge_in` entity): the audio sent
  // just before it is no longer to play, whether or not the playback_completed that follows
  // (Genesys stopped playing) crossed it, and no further playback_completed will come for it.
  const { clock, genesys, client } = playing();
  await clock.tick(100);
  genesys.serialize(speech(200)); // the next packet leaves…
  await clock.tick(10);
  genesys.serialize({ type: "interruption" }); // …and the caller barges in
  await clock.tick(40);
  client("playback_completed", {}); // Genesys has stopped playing
  await clock.tick(500);
  const ended = genesys.serialize({ type: "end" });
  assert.equal(ended instanceof Promise, false, "nothing is left to play: the goodbye goes");
  assert.equal(JSON.parse(ended as string).type, "disconnect");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Genesys: audio sent after a barge-in that crosses a playback_completed still holds the goodbye", async () => {
  const { clock, sent, genesys, client } = playing();
  await clock.tick(100);
  genesys.serialize({ type: "interruption" });
  genesys.serialize(speech(200)); // the answer to the caller leaves…
  await clock.tick(40);
  client("playback_completed", {}); // …as Genesys says it stopped playing the first
  await clock.tick(300);
  const ended = genesys.serialize({ type: "end" });
  assert.ok(ended instanceof Promise, "the goodbye waits for the answer still to play");
  client("playback_started", {});
  await clock.tick(200);
  client("playback_completed", {});
  assert.equal(await ended, null);
  assert.deepEqual(types(sent), ["opened", "event", "disconnect"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Genesys: the bot's own disconnect while the goodbye waits is that goodbye: the wait ends, and no timeout tells of a disconnect sent after it", async () => {
  // The bot's `disconnect` begins the close transaction (Genesys Cloud resource center, "What
  // happens during a successful session between Genesys Cloud and your AudioHook server?"): the
  // goodbye waiting for playback_completed is never sent after it, as after a breach's
  // disconnect. Its wait went on to its bound all the same, and then reported a disconnect "sent
  // anyway" that was not, holding the end's serialize (and the transport's goodbye) till then.
  const clock = new FakeClock();
  const genesys = new GenesysSerializer();
  const { client, sent, reported } = bound(genesys, clock);
  client("open", OPEN);
  genesys.serialize(speech(200));
  client("playback_started", {});
  const ended = genesys.serialize({ type: "end" });
  assert.ok(ended instanceof Promise, "the goodbye waits");
  const disconnect = { type: "disconnect", parameters: { reason: "error", info: "lost" } };
  const own = genesys.serialize({ type: "message", message: disconnect });
  assert.equal(JSON.parse(own as string).type, "disconnect");
  await clock.tick(5000);
  assert.deepEqual(reported, []);
  assert.equal(await ended, null);
  assert.deepEqual(types(sent), ["opened"], "no second disconnect");
  assert.equal(clock.pendingTimers, 0);
});
