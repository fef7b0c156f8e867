// Replies a bot writes ahead (each whole in one write) with background audio filling the slots
// between them: the queue runs dry as a reply's last chunk leaves, and the tracker's quiet time
// (`quietMs`, 80 ms at the default pacing) is no quiet then, background leaving all through it. The
// end-of-speech mark went at the quiet time, after that background: answered only once the far end
// had played it too, it put every reply's `speakingstop` 80 ms after the far end had played the
// reply's last sample (its answer is what the stop waits for). Now it goes as the background's first
// chunk leaves (`PlaybackMarks.backgroundAfterSpeech`): at most one chunk (40 ms) late.
// (A reply relayed in real time had its end marked at once: its held-back tail leaves at the quiet
// time, and the mark right after it; the first one's end the cadence's mark covers, answered as it
// plays: fork_background_end_mark_test.ts.)
//
// The far ends: tests/_fake_far_end.ts (Twilio Media Streams, "Mark messages": a mark is sent back
// once the media sent before it has played), and the simulated mod_audio_fork
// (`simulatedForkModule`, built from jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899: a mark's marker goes into the audio where it stands, answered as dub_speech_frame plays
// that place, :994-1010).
import assert from "node:assert/strict";
import type { OutboundMixer, WebSocketTransport } from "../../mod.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { level, narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";
import { forkBackgroundCall } from "./_fork_background_call.ts";

const REPLY_MS = 300;
/** The transport's chunk at 8 kHz, and the background's fill: the grain of the mark's place. */
const CHUNK_MS = 40;

/** Three replies (levels 101-103), each written whole, then 700 ms of background alone. */
async function writtenAhead(clock: FakeClock, transport: WebSocketTransport): Promise<number[]> {
  const stops: number[] = [];
  transport.addEventListener("speakingstop", () => stops.push(clock.now()));
  await clock.tick(10);
  for (let reply = 1; reply <= 3; reply++) {
    transport.send(forkAudio(REPLY_MS, 100 + reply, `r${reply}`));
    for (let t = 0; t < 700; t++) await clock.tick(1);
  }
  return stops;
}

/** Each `speakingstop` no later than a chunk after the far end played that reply's last sample. */
function assertStopsByEnds(stops: number[], ends: number[]): void {
  assert.equal(stops.length, ends.length, `speakingstop at ${stops}`);
  stops.forEach((stop, i) => {
    const late = stop - ends[i]!;
    // Before: 80 ms late, every reply. A chunk late yet: the tracker hears of a background chunk
    // once it has left, and marks the reply's end then (marked before it leaves, a mark declined
    // for want of a slot on mod_audio_fork is forgotten by the background chunk after it).
    assert.ok(late >= 0 && late <= CHUNK_MS, `reply ${i + 1} stopped ${late} ms after it played`);
  });
}

Deno.test("a Twilio-like far end, background between replies written ahead: each `speakingstop` within a chunk of the reply's end playing", async () => {
  const background: OutboundMixer = {
    attach() {},
    mix: (chunk) => chunk,
    fill: () => ({ type: "audio", audio: level(CHUNK_MS, 7), sampleRate: 8000, channels: 1 }),
    detach() {},
  };
  const { clock, pair, transport } = narrowbandCall(new MarkingSerializer(), { background });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: 16 });
  transport.receive(() => {});
  const stops = await writtenAhead(clock, transport);
  const ends = [101, 102, 103].map((v) => {
    const last = farEnd.played.filter((span) => span.value === v).at(-1)!;
    return last.at + last.ms;
  });
  assertStopsByEnds(stops, ends);
  assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
  await transport.close();
});

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` with background between replies written ahead: each \`speakingstop\` within a chunk of the module playing the reply's end`, async () => {
    const { clock, transport, playedRuns } = forkBackgroundCall(make);
    const stops = await writtenAhead(clock, transport);
    const runs = playedRuns();
    const ends = [101, 102, 103].map((v) => {
      const last = runs.filter((run) => run.value === v).at(-1)!;
      return last.at + last.ms;
    });
    assertStopsByEnds(stops, ends);
    assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
    await transport.close();
  });
}
