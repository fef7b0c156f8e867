// Genesys's playback reports as the transport's ground truth for `speakingstop`, `heardMs` and
// the goodbye.
//
// The Audio Connector (AudioHook v2 with the bot's audio) says `playback_started` when it begins to
// play the server's audio after none and `playback_completed` once all it was sent has played:
// client messages with empty parameters in Genesys's Audio Connector reference server
// (GenesysCloudBlueprints/audioconnector-server-reference-implementation, src/protocol/
// voice-bots.ts: PlaybackStartedMessage, PlaybackCompletedMessage; src/protocol/message.ts lists
// them in ClientMessage; its handlers, src/websocket/message-handlers/handlers/
// playback-{started,completed}-message-handler.ts, turn the session's "audio playing" on and off).
// (The search corpus holds no page of developer.genesys.cloud's Audio Connector protocol
// section; that reference server is Genesys's own.) They say when a stretch of audio ends, not how
// far into it Genesys is: what they can ground is the end of a reply, where it plays, and so how
// far behind the pacing estimate Genesys plays.
//
// The Audio Connector client (fixtures/audio_connector_client.ts, as in
// genesys_playback_completed_test.ts) is built from that reference and the AudioHook session
// rules, here with a network between it and the server: each message takes `networkMs` each way.
// It plays the bot's PCMU behind a jitter buffer, reports its playback as the Audio Connector
// does, and records what it played: the truth the transport's figures are checked against.
import assert from "node:assert/strict";
import type { OutboundMixer, SpeakingEvent, TransportOptions } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import {
  audioConnectorSession,
  type AudioConnectorSessionOptions,
  speech,
} from "./fixtures/audio_connector_client.ts";

function session(
  client: AudioConnectorSessionOptions["client"] = {},
  transport: TransportOptions = {},
  clock?: FakeClock,
) {
  const s = audioConnectorSession({ client, transport, ...(clock && { clock }) });
  const events: { type: string; at: number; event: SpeakingEvent }[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    s.transport.addEventListener(type, (event) => events.push({ type, at: s.clock.now(), event }));
  }
  const stops = () => events.filter((e) => e.type === "speakingstop");
  return { ...s, events, stops };
}

type Session = ReturnType<typeof session>;

/** Runs the clock to `time`, 10 ms at a time. */
async function runTo(s: Session, time: number): Promise<void> {
  while (s.clock.now() < time) await s.clock.tick(Math.min(10, time - s.clock.now()));
}

/** Opens the session; the bot has its `start` once `open` has crossed the network. */
async function opened(s: Session): Promise<void> {
  s.client.open();
  await runTo(s, 100);
  assert.deepEqual(s.botSaw, ["start"]);
}

Deno.test("Genesys: speakingstop comes at playback_completed, acknowledged, with the whole reply heard", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(1000, "r1"));
  // The pacing estimate has the reply played by 1100 ms; Genesys, 300 ms behind, plays on.
  await runTo(s, 1250);
  assert.equal(s.client.heardMs(), 850);
  const playing = s.transport.playback;
  assert.equal(playing.speaking, true, "still audible: Genesys has not said it has played it");
  assert.equal(playing.responseId, "r1");
  assert.equal(playing.acknowledged, false);
  await runTo(s, 2000);

  assert.deepEqual(s.client.said, [
    { at: 400, type: "playback_started" },
    { at: 1400, type: "playback_completed" },
  ]);
  const stops = s.stops();
  assert.deepEqual(stops.map((e) => e.at), [1400], "at Genesys's word, not at the estimate");
  const { responseId, heardMs, sentMs, acknowledged, reason } = stops[0]!.event;
  assert.deepEqual(
    { responseId, heardMs, sentMs, acknowledged, reason },
    { responseId: "r1", heardMs: 1000, sentMs: 1000, acknowledged: true, reason: "played" },
  );
  // Once over, the playback state says so, and on Genesys's word.
  const over = s.transport.playback;
  assert.deepEqual(
    [over.speaking, over.responseId, over.heardMs, over.acknowledged],
    [false, "r1", 1000, true],
  );
  // The bot still hears both messages, as before; the transport's report is not among them.
  assert.deepEqual(s.botSaw, ["start", "playback_started", "playback_completed"]);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("Genesys: playback_completed teaches how far behind the estimate Genesys plays", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(500, "r1"));
  await runTo(s, 2000); // r1 played from 400 to 900 ms, and Genesys said so
  void s.transport.send(speech(3000, "r2"));
  await runTo(s, 3000);
  const truth = s.client.heardMs() - 500;
  const r2At = s.client.playedFrom(2000);
  assert.deepEqual([r2At, truth], [2300, 700]);
  const result = await s.transport.interrupt();

  // The reply's start is heard where Genesys plays it, not 300 ms early by the pacing alone.
  const start = s.events.find((e) => e.type === "speakingstart" && e.event.responseId === "r2")!;
  assert.ok(Math.abs(start.at - r2At) <= 20, `speakingstart at ${start.at}, played at ${r2At}`);
  // What the caller heard of it: the estimate, corrected by what Genesys said of the reply before.
  assert.equal(result.responseId, "r2");
  assert.ok(
    Math.abs(result.heardMs - truth) <= 20,
    `heard ${result.heardMs} ms, Genesys played ${truth} ms`,
  );
  assert.equal(result.acknowledged, false, "between reports, the figure is the estimate");
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("Genesys: audio that crossed playback_completed on its way is not taken as played", async () => {
  // 40 ms each way. r1 leaves from 100 ms and plays from 440 to 940; Genesys's
  // playback_completed for it reaches the server at 980, after r2's first audio left at 950 (to
  // arrive at 990, once Genesys had run dry): the report covers r1, not that audio, which
  // plays from 1290 (and playback_started says so at 1330).
  const s = session({ networkMs: 40 });
  await opened(s);
  void s.transport.send(speech(500, "r1"));
  await runTo(s, 950);
  void s.transport.send(speech(3000, "r2"));
  await runTo(s, 985);
  assert.deepEqual(s.client.said, [
    { at: 440, type: "playback_started" },
    { at: 940, type: "playback_completed" },
  ]);
  // r1 is over, on Genesys's word; r2 has not begun (it begins at its playback_started).
  const crossed = s.transport.playback;
  assert.deepEqual(
    [crossed.speaking, crossed.responseId, crossed.heardMs, crossed.acknowledged],
    [false, "r1", 500, true],
    "nothing of r2 has played",
  );

  await runTo(s, 1600);
  const truth = s.client.heardMs() - 500;
  assert.deepEqual([s.client.playedFrom(950), truth], [1290, 310]);
  const result = await s.transport.interrupt();
  // The delay learned from the report is where Genesys ran dry at r1's end (plus the way back,
  // as any acknowledgement's): r2's figure is off by that way back, not by the audio that crossed.
  assert.equal(result.responseId, "r2");
  assert.ok(
    Math.abs(result.heardMs - truth) <= 40 + 20,
    `heard ${result.heardMs} ms, Genesys played ${truth} ms`,
  );
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("Genesys: while the goodbye's disconnect waits for playback_completed, the bot is still audible", async () => {
  // The estimate has the goodbye played at 1100 ms and the `end` goes to the serializer, whose
  // disconnect waits for Genesys's playback_completed (1400 ms). The caller talking over the
  // goodbye's last 300 ms is talking over the bot: a barge-in detector must see it audible.
  const s = session();
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end" });
  await runTo(s, 1250);
  assert.equal(s.client.disconnectAt, -1, "the disconnect waits");
  const holding = s.transport.playback;
  assert.deepEqual([holding.speaking, holding.responseId], [true, "bye"]);

  const result = await s.transport.interrupt();
  assert.equal(result.responseId, "bye");
  await runTo(s, 3000);
  assert.deepEqual(
    s.stops().map((e) => [e.at, e.event.responseId, e.event.reason]),
    [[1250, "bye", "interrupted"]],
  );
  // The barge-in dropped what Genesys held: the goodbye's disconnect goes with it.
  assert.equal(s.client.disconnectAt, 1250);
  assert.equal(s.client.heardMs(), 850);
  assert.deepEqual(s.errors, []);
  await s.transport.closed;
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("Genesys: the goodbye that plays out stops at playback_completed, acknowledged, then the disconnect goes", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end" });
  await runTo(s, 3000);
  assert.equal(s.client.disconnectAt, 1400);
  assert.deepEqual(
    s.stops().map((e) => [e.at, e.event.responseId, e.event.reason, e.event.acknowledged]),
    [[1400, "bye", "played", true]],
  );
  assert.equal(s.client.heardMs(), 1000);
  assert.deepEqual(s.errors, []);
  await s.transport.closed;
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("Genesys: a client that never reports its playback is followed by the estimate, as before", async () => {
  const s = session({ reports: false });
  await opened(s);
  void s.transport.send(speech(1000, "r1"));
  await runTo(s, 2000);
  const stops = s.stops();
  assert.equal(stops.length, 1);
  assert.ok(stops[0]!.at <= 1100 + 40, `stopped at ${stops[0]!.at}`);
  assert.deepEqual(
    [stops[0]!.event.reason, stops[0]!.event.acknowledged, stops[0]!.event.heardMs],
    ["played", false, 1000],
  );
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

/** Background audio from the session's start: a steady low tone until `until` ms, then none. */
function background(clock: { now(): number }, until = Infinity): OutboundMixer {
  return {
    attach() {},
    mix: (chunk) => chunk,
    fill: () =>
      clock.now() < until
        ? { type: "audio", audio: new Uint8Array(320).fill(3), sampleRate: 8000, channels: 1 }
        : undefined,
    detach() {},
  };
}

Deno.test("Genesys with a background: a reply stops by the estimate, not playoutTimeoutMs late", async () => {
  // The background's audio draws playback_started, and Genesys plays it on after the reply: it
  // says nothing where the reply ends. The reply goes by the estimate, as a reply followed by
  // more speech does, rather than wait 2 s for a playback_completed that never comes.
  const clock = new FakeClock();
  const s = session({}, { clock, background: background(clock) }, clock);
  await opened(s);
  void s.transport.send(speech(1000, "r1")); // leaves from 140 ms; the estimate: played by 1140
  await runTo(s, 4000);
  assert.deepEqual(s.client.completedAt, [], "Genesys plays the background on");
  const stops = s.stops();
  assert.equal(stops.length, 1);
  assert.ok(stops[0]!.at <= 1140 + 20, `speakingstop at ${stops[0]!.at}`);
  assert.deepEqual(
    [stops[0]!.event.reason, stops[0]!.event.acknowledged, stops[0]!.event.heardMs],
    ["played", false, 1000],
  );
  assert.equal(s.transport.playback.speaking, false, "a caller answering now is no barge-in");
  await s.transport.close();
});

Deno.test("Genesys with a background and 200 ms packets: a reply ending on a packet's edge stops by the estimate", async () => {
  // r1 is five whole packets: the background after it waits in the packetizer for a packet of its
  // own, and nothing has left after r1's end for a while. Genesys still plays that background on.
  const clock = new FakeClock();
  const s = session(
    {},
    { clock, background: background(clock), fixedAudioPacketSize: 1600 },
    clock,
  );
  await opened(s);
  void s.transport.send(speech(1000, "r1"));
  await runTo(s, 4000);
  assert.deepEqual(s.client.completedAt, [], "Genesys plays the background on");
  const stops = s.stops();
  assert.equal(stops.length, 1);
  assert.ok(stops[0]!.at <= 1140 + 200 + 20, `speakingstop at ${stops[0]!.at}`);
  assert.deepEqual([stops[0]!.event.reason, stops[0]!.event.heardMs], ["played", 1000]);
  await s.transport.close();
});

Deno.test("Genesys: playback_completed where a background stopped teaches no delay", async () => {
  // The background stops at 2000 ms, long after r1 ended; Genesys runs dry at the end of the
  // background, not of r1, and says so: that is no reply's end, and r2 is placed as before.
  const clock = new FakeClock();
  const s = session({}, { clock, background: background(clock, 2000) }, clock);
  await opened(s);
  void s.transport.send(speech(500, "r1"));
  await runTo(s, 3000);
  assert.equal(s.client.completedAt.length, 1);
  assert.ok(s.client.completedAt[0]! > 2000, `completed at ${s.client.completedAt}`);
  void s.transport.send(speech(1000, "r2"));
  await runTo(s, 4000);
  const start = s.events.find((e) => e.type === "speakingstart" && e.event.responseId === "r2");
  // Genesys plays it from 3300; the estimate, with no delay learned, from 3000 (a delay taken
  // from the background's end, some 1.7 s, would put it past 4000).
  assert.ok(start !== undefined && start.at <= 3000 + 20, `speakingstart at ${start?.at}`);
  await s.transport.close();
});

Deno.test("Genesys with 200 ms packets: the delay learned leaves out the last packet's padding", async () => {
  // The README's fixedAudioPacketSize 1600: r1's last 50 ms leave padded with 150 ms of silence,
  // which Genesys plays before it runs dry and says playback_completed. The delay it teaches is
  // Genesys's own: r2 is heard from where Genesys plays it, not 150 ms later.
  const s = session({}, { fixedAudioPacketSize: 1600 });
  await opened(s);
  void s.transport.send(speech(1050, "r1"));
  await runTo(s, 4000);
  const r1 = s.stops()[0]!;
  assert.deepEqual(
    [r1.event.responseId, r1.event.heardMs, r1.event.acknowledged],
    ["r1", 1050, true],
  );
  void s.transport.send(speech(3000, "r2"));
  await runTo(s, 4800);
  const playedAt = s.client.playedFrom(4000);
  const played = s.client.heardMs() - 1200; // r1 and its padding, then r2
  const start = s.events.find((e) => e.type === "speakingstart" && e.event.responseId === "r2")!;
  const result = await s.transport.interrupt();
  assert.ok(Math.abs(start.at - playedAt) <= 20, `speakingstart ${start.at}, played ${playedAt}`);
  assert.ok(Math.abs(result.heardMs - played) <= 30, `heard ${result.heardMs}, played ${played}`);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("Genesys: a second playback_completed while the next reply plays moves nothing", async () => {
  // Said again (a duplicate, or one late past the crossing allowance) where no reply ends: it
  // places nothing the transport knows, and heardMs stays what Genesys played.
  const s = session();
  await opened(s);
  void s.transport.send(speech(500, "r1"));
  await runTo(s, 2000); // r1 played, and Genesys said so at 900
  void s.transport.send(speech(3000, "r2"));
  await runTo(s, 2500);
  s.client.send("playback_completed", {});
  await runTo(s, 2510);
  const played = s.client.heardMs() - 500; // of r2
  const playing = s.transport.playback;
  const result = await s.transport.interrupt();
  assert.equal(played, 210);
  assert.ok(playing.heardMs <= played + 20, `playback.heardMs ${playing.heardMs}, ${played}`);
  assert.equal(playing.acknowledged, false);
  assert.ok(result.heardMs <= played + 20, `interrupt heardMs ${result.heardMs}, ${played}`);
  assert.equal(result.acknowledged, false);
  await s.transport.close();
});

Deno.test("Genesys: a stray playback_completed after a barge-in, once the next reply plays, moves nothing", async () => {
  const s = session();
  await opened(s);
  void s.transport.send(speech(500, "r0"));
  await runTo(s, 1000); // r0 played from 400 to 900, and Genesys said so: its delay is learned
  void s.transport.send(speech(2000, "r1")); // plays from 1300
  await runTo(s, 1500);
  await s.transport.interrupt(); // Genesys drops what it holds, and says nothing of it
  void s.transport.send(speech(3000, "r2")); // plays from 1800
  await runTo(s, 2100);
  s.client.send("playback_completed", {}); // a stray one, from before the barge-in
  await runTo(s, 2110);
  const played = s.client.heardMs() - 500 - 200; // of r2 (r1: 200 ms)
  assert.equal(played, 310);
  const playing = s.transport.playback;
  assert.equal(playing.responseId, "r2");
  assert.ok(playing.heardMs <= played + 20, `playback.heardMs ${playing.heardMs}, ${played}`);
  const result = await s.transport.interrupt();
  assert.ok(result.heardMs <= played + 20, `interrupt heardMs ${result.heardMs}, ${played}`);
  await s.transport.close();
});
