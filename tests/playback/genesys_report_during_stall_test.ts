// Genesys's `playback_completed` read after a server stall teaches no lag too large. The Audio
// Connector answers no marks but says when it has played all it was sent; the transport learns
// how far behind its estimate Genesys plays as the moment it READ that report less when the
// reply's end plays by the estimate. A report that came while the event loop was stalled is read
// at the stall's end: taken at its word, Genesys seemed to play that much later, and the next
// reply's `speakingstart` came as late. Same cause, and same cure, as for marks
// (ack_during_stall_test.ts).

import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../mod.ts";
import { audioConnectorSession, speech } from "../serializers/fixtures/audio_connector_client.ts";
import { StallClock } from "../_stall_clock.ts";

/** Genesys's jitter buffer: how long after it arrives the bot's audio plays. */
const BUFFER_MS = 300;

Deno.test("Genesys: playback_completed read after a server stall does not delay the next reply's speakingstart", async () => {
  const clock = new StallClock();
  // An Audio Connector (tests/serializers/fixtures/audio_connector_client.ts) that plays the bot's
  // PCMU behind a 300 ms jitter buffer and says `playback_completed` once it has played all of it.
  const { transport, client } = audioConnectorSession({ clock, client: { bufferMs: BUFFER_MS } });
  const starts: { at: number; event: SpeakingEvent }[] = [];
  transport.addEventListener("speakingstart", (event) => starts.push({ at: clock.now(), event }));
  const lags: number[] = [];
  transport.observe({ playoutLag: ({ lagMs }) => lags.push(lagMs) });
  client.open();
  await clock.tick(100);
  // r0 plays 400–900: its report teaches that Genesys plays 300 ms behind the estimate.
  void transport.send(speech(500, "r0"));
  await clock.tick(1900); // t = 2000
  // r1 plays 2300–2800; its report, said at 2800, is read at 3000, after a stall.
  void transport.send(speech(500, "r1"));
  await clock.tick(700);
  await clock.stall(300);
  await clock.tick(1000); // t = 4000
  void transport.send(speech(500, "r2"));
  await clock.tick(2000);
  const r2At = client.playedFrom(4000);
  const start = starts.find((s) => s.event.responseId === "r2")!;
  // Before: 200 ms late, the stall taken for a far end that plays later.
  assert.ok(
    Math.abs(start.at - r2At) <= 20,
    `r2 played from ${r2At}, its speakingstart at ${start.at} (${start.at - r2At} ms late)`,
  );
  assert.deepEqual(lags, [BUFFER_MS], "the stall taught nothing");
  await transport.close();
});
