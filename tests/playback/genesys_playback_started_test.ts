// Genesys's `playback_started` as the transport's word for where a reply begins to play, as its
// `playback_completed` is for where one ends (genesys_playback_reports_test.ts).
//
// The platform side is the Audio Connector client of tests/serializers/fixtures/
// audio_connector_client.ts, built from Genesys's Audio Connector reference server
// (GenesysCloudBlueprints/audioconnector-server-reference-implementation): src/protocol/
// voice-bots.ts declares `playback_started` and `playback_completed` as client messages with empty
// parameters (PlaybackStartedMessage, PlaybackCompletedMessage), and src/websocket/
// message-handlers/handlers/playback-started-message-handler.ts turns the session's "audio
// playing" on (playback-completed-message-handler.ts off). The client says `playback_started` as it
// begins to play the bot's audio after none. (The docs corpus holds no page of
// developer.genesys.cloud's Audio Connector section: searched for "AudioHook playback_started
// playback_completed", it answers with other products' playback events.)
//
// So a reply that begins after Genesys said it had played all it had begins where Genesys says it
// does: `speakingstart` then, acknowledged, not by the estimate; and how far behind the estimate
// Genesys plays is measured there, so `heardMs` through the reply (the call's first reply too,
// before any `playback_completed`) does not run ahead of what Genesys played. A report read late
// (the server's event loop stalled) must not make it run ahead either.
import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../mod.ts";
import { audioConnectorSession, speech } from "../serializers/fixtures/audio_connector_client.ts";
import { StallClock } from "../_stall_clock.ts";

function session(networkMs = 0, clock?: StallClock) {
  const s = audioConnectorSession({ client: { networkMs }, ...(clock && { clock }) });
  const events: { type: string; at: number; event: SpeakingEvent }[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    s.transport.addEventListener(type, (event) => events.push({ type, at: s.clock.now(), event }));
  }
  /** Runs the clock to `time`, 10 ms at a time: `heardMs` past what Genesys played, at worst. */
  const runTo = async (time: number, from = 0): Promise<number> => {
    let ahead = -Infinity;
    while (s.clock.now() < time) {
      await s.clock.tick(Math.min(10, time - s.clock.now()));
      const truth = s.client.heardMs() - from;
      const playback = s.transport.playback;
      if (playback.speaking) ahead = Math.max(ahead, playback.heardMs - truth);
    }
    return ahead;
  };
  const start = (id: string) =>
    events.find((e) => e.type === "speakingstart" && e.event.responseId === id)!;
  return { ...s, events, runTo, start };
}

Deno.test("Genesys: a reply after playback_completed begins at playback_started, acknowledged, not by the estimate", async () => {
  // 40 ms each way. r1 plays from 440 to 940 (Genesys's buffer: 300 ms); its playback_completed
  // reaches the server at 980, after r2's first audio left at 950: Genesys, run dry, plays r2 from
  // 1290 and says playback_started then, which reaches the server at 1330.
  const s = session(40);
  s.client.open();
  await s.runTo(100);
  void s.transport.send(speech(500, "r1"));
  await s.runTo(950);
  void s.transport.send(speech(3000, "r2"));
  await s.runTo(2000);
  assert.deepEqual(s.client.said, [
    { at: 440, type: "playback_started" },
    { at: 940, type: "playback_completed" },
    { at: 1290, type: "playback_started" },
  ]);
  assert.equal(s.client.playedFrom(950), 1290);
  const r2 = s.start("r2");
  // Before: at 950, by the estimate (r1 taken as played out by then), and not acknowledged.
  assert.equal(r2.at, 1330, "at Genesys's word (said at 1290, 40 ms on its way)");
  assert.equal(r2.event.acknowledged, true);
  assert.equal(r2.event.heardMs, 0);
  const r1Stop = s.events.find((e) => e.type === "speakingstop" && e.event.responseId === "r1")!;
  assert.deepEqual([r1Stop.at, r1Stop.event.acknowledged], [980, true]);
  await s.transport.close();
});

Deno.test("Genesys: the call's first reply, once Genesys says playback_started, is not heard ahead of what it played", async () => {
  // No report yet: the first reply goes by the estimate (the far end's delay unknown), and its
  // speakingstart comes then, as on every protocol. From Genesys's playback_started (at 400,
  // 300 ms behind the estimate) on, heardMs follows where Genesys plays.
  const s = session();
  s.client.open();
  await s.runTo(100);
  void s.transport.send(speech(1000, "r0"));
  await s.runTo(400);
  assert.deepEqual(s.client.said, [{ at: 400, type: "playback_started" }]);
  const ahead = await s.runTo(1390);
  // Before: 300 ms ahead until playback_completed.
  assert.ok(ahead <= 0, `heardMs ran ${ahead} ms ahead of what Genesys played`);
  const result = await s.transport.interrupt();
  assert.equal(result.responseId, "r0");
  assert.equal(result.heardMs, s.client.heardMs());
  await s.transport.close();
});

Deno.test("Genesys: playback_started read after a server stall: speakingstart not before the reply plays, heardMs never ahead", async () => {
  for (const stallAt of [350, 2250, 2350]) {
    const clock = new StallClock();
    const s = session(0, clock);
    s.client.open();
    await s.runTo(100);
    // r0 plays 400–900; r1 plays 2300–3300, its playback_started said at 2300. The server stalls
    // 300 ms from `stallAt`: a report said meanwhile is read at the stall's end.
    void s.transport.send(speech(500, "r0"));
    const ahead: number[] = [];
    if (stallAt < 400) {
      await s.runTo(stallAt);
      await clock.stall(300);
    } else await s.runTo(400);
    // The first reply is heard by the estimate alone until Genesys's first word: from then on.
    ahead.push(await s.runTo(2000));
    void s.transport.send(speech(1000, "r1"));
    if (stallAt > 2000) {
      await s.runTo(stallAt);
      await clock.stall(300);
    }
    ahead.push(await s.runTo(3250, 500));
    const what = `stall from ${stallAt}`;
    assert.ok(Math.max(...ahead) <= 0, `${what}: heardMs ran ${Math.max(...ahead)} ms ahead`);
    const r1 = s.start("r1");
    assert.ok(r1.at >= s.client.playedFrom(2000), `${what}: r1's speakingstart at ${r1.at}`);
    await s.transport.close();
  }
});

/** A session whose client's second `playback_started` is lost on its way (`lose`). */
function losingSession(lose: boolean) {
  const s = session(40);
  if (lose) {
    const send = s.client.send.bind(s.client);
    let started = 0;
    s.client.send = (type, parameters) => {
      if (type === "playback_started" && ++started === 2) return;
      send(type, parameters);
    };
  }
  return s;
}

/** r1 (500 ms) from 100, r2 (3 s) from 950, as in the first test: Genesys plays r2 from 1290. */
async function twoReplies(s: ReturnType<typeof losingSession>, until: number) {
  s.client.open();
  await s.runTo(100);
  void s.transport.send(speech(500, "r1"));
  await s.runTo(950);
  void s.transport.send(speech(3000, "r2"));
  await s.runTo(until);
}

Deno.test("Genesys: a reply whose playback_started is lost begins by the estimate shortly after, not playoutTimeoutMs late", async () => {
  const s = losingSession(true);
  await twoReplies(s, 2800);
  const r2 = s.start("r2");
  assert.ok(r2 !== undefined, "r2 began");
  // Genesys plays it from 1290; its word would have come at 1330. Before: at 3290, 2 s late.
  assert.ok(r2.at <= 1330 + 250, `r2's speakingstart at ${r2.at}`);
  assert.equal(r2.event.acknowledged, false, "by the estimate");
  assert.equal(s.transport.playback.speaking, true);
  const result = await s.transport.interrupt();
  await s.runTo(2900);
  const events = s.events.filter((e) => e.event.responseId === "r2").map((e) => e.type);
  assert.deepEqual(events, ["speakingstart", "speakingstop"]);
  assert.equal(result.responseId, "r2");
  assert.ok(result.heardMs > 0);
  await s.transport.close();
});

Deno.test("Genesys: interrupted while a reply waits for its playback_started, nothing of it is heard, as its events say", async () => {
  const s = losingSession(false);
  await twoReplies(s, 1320); // Genesys plays r2 (from 1290); its word is on its way (1330)
  assert.equal(s.transport.playback.speaking, false, "not begun: it waits for Genesys' word");
  const result = await s.transport.interrupt();
  await s.runTo(1420);
  assert.equal(result.responseId, "r2");
  assert.equal(result.heardMs, 0, "none heard: no speakingstart came");
  assert.deepEqual(s.events.filter((e) => e.event.responseId === "r2"), []);
  await s.transport.close();
});
