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
import type { SpeakingEvent, TransportOptions } from "../../mod.ts";
import {
  audioConnectorSession,
  type AudioConnectorSessionOptions,
  speech,
} from "./fixtures/audio_connector_client.ts";

function session(
  client: AudioConnectorSessionOptions["client"] = {},
  transport: TransportOptions = {},
) {
  const s = audioConnectorSession({ client, transport });
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
  const crossed = s.transport.playback;
  assert.equal(crossed.responseId, "r2");
  assert.equal(crossed.heardMs, 0, "nothing of r2 has played");
  assert.equal(crossed.acknowledged, false);

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
