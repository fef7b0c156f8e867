// A far end's `mark` named as a playback report is a report only from a serializer that makes
// them. Genesys's serializer hands Genesys's `playback_started` / `playback_completed` on to the
// playback tracker as inbound marks with reserved names (src/_playback_reports.ts), and says so
// (`FrameSerializer.playbackReports`). Any other far end (JSON here; raw PCM, RTVI, ...) sending
// a mark by such a name made the tracker wait for reports that never come: every later reply's
// `speakingstop` came `playoutTimeoutMs` (2 s) late. Such a mark is hidden from the bot, as any
// reserved name is, and means nothing.
import assert from "node:assert/strict";
import { JsonSerializer, type SpeakingEvent, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new JsonSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const stops: { at: number; event: SpeakingEvent }[] = [];
  transport.addEventListener("speakingstop", (event) => stops.push({ at: clock.now(), event }));
  const botSaw: string[] = [];
  transport.receive((frame) => {
    if (frame.type !== "audio") botSaw.push(frame.type);
  });
  return { clock, pair, transport, stops, botSaw };
}

function speech(ms: number, responseId: string) {
  return {
    type: "audio" as const,
    audio: new Uint8Array(ms * 32).fill(7),
    sampleRate: 16000,
    channels: 1,
    responseId,
  };
}

async function runTo(clock: FakeClock, time: number): Promise<void> {
  while (clock.now() < time) await clock.tick(Math.min(10, time - clock.now()));
}

for (const name of ["__wst:playback:started", "__wst:playback:completed:0"]) {
  Deno.test(`a JSON far end's mark named ${name} is no playback report`, async () => {
    const s = session();
    await runTo(s.clock, 10);
    s.pair.client.send(JSON.stringify({ type: "mark", name }));
    await runTo(s.clock, 20);
    void s.transport.send(speech(1000, "r1"));
    await runTo(s.clock, 4000);
    // The estimate has r1 played by about 1020 ms (taken for a report, it stopped at 3020).
    assert.equal(s.stops.length, 1);
    assert.ok(s.stops[0]!.at <= 1020 + 20, `speakingstop at ${s.stops[0]!.at}`);
    assert.deepEqual(
      [s.stops[0]!.event.heardMs, s.stops[0]!.event.acknowledged],
      [1000, false],
    );
    assert.deepEqual(s.botSaw, [], "a reserved name is hidden from the bot");
    await s.transport.close();
  });
}
