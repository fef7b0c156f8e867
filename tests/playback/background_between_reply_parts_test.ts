// Background audio under replies relayed in real time (20 ms writes, the transport's 40 ms
// chunks): the reply's last write waits in the chunker for a chunk that never fills, and leaves
// only at the quiet time; meanwhile background fills the slots (`OutboundMixer.fill`). So
// background sits on the timeline between the reply's parts, and the far end plays it there, the
// reply's last 20 ms after it. `heardMs` counts only the reply's own audio: counted from the
// reply's first position, the background between its parts read as the reply heard, and the reply
// read heard whole while the far end still played that background (about 130 ms early with a
// 220 ms reply on mod_audio_fork). It is the tracker's, not the far end's: a Twilio-like far end
// read as early.
//
// The far ends: the simulated mod_audio_fork (tests/serializers/fixtures/fork_module_playout.ts,
// built from jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899:
// processIncomingBinary :108-116, whole batches; dub_speech_frame :930-1050, a 20 ms frame a
// tick), and tests/_fake_far_end.ts (Twilio Media Streams: "mark" sent back once the media before
// it has played).
import assert from "node:assert/strict";
import type { OutboundMixer, WebSocketTransport } from "../../mod.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import {
  FORK_METADATA,
  FORK_SERIALIZERS,
  forkAudio,
} from "../serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "../serializers/fixtures/fork_module_playout.ts";
import { level, narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";

const REPLY_MS = 220;

/** Background at level 7 in 40 ms fills (the transport's chunk at 8 kHz), not mixed in speech. */
const background = (): OutboundMixer => ({
  attach() {},
  mix: (chunk) => chunk,
  fill: () => ({ type: "audio", audio: level(40, 7), sampleRate: 8000, channels: 1 }),
  detach() {},
});

/**
 * Replies 1 to 4 (samples at level 100 + n), each written in 20 ms frames as it is made, then
 * 600 ms of 1 ms ticks: when `heardMs` first read each whole, and when the far end had played
 * each whole (`playedWholeAt`, read once all is over).
 */
async function replies(
  clock: FakeClock,
  transport: WebSocketTransport,
  playedWholeAt: (v: number) => number,
) {
  const heardWhole: number[] = [];
  for (let reply = 1; reply <= 4; reply++) {
    let at = NaN;
    // The last reply is watched longer: the far end's delay has grown by then (see below).
    for (let t = 0; t < (reply === 4 ? 1000 : 600); t++) {
      if (t % 20 === 0 && t < REPLY_MS) transport.send(forkAudio(20, 100 + reply, `r${reply}`));
      await clock.tick(1);
      const { responseId, heardMs } = transport.playback;
      if (Number.isNaN(at) && responseId === `r${reply}` && heardMs >= REPLY_MS) at = clock.now();
    }
    heardWhole.push(at);
  }
  // From the second reply on: the first is heard by the estimate until the first answer (README).
  return [2, 3, 4].map((n) => ({ heard: heardWhole[n - 1]!, played: playedWholeAt(100 + n) }));
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` with background between a reply's parts: the reply heard whole only as the module plays its end`, async () => {
    const { clock, pair, transport } = narrowbandCall(make(), { background: background() });
    const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
    transport.receive(() => {});
    await clock.tick(10);
    // `log.played`: each 20 ms tick with its first sample; the last of a reply's ends 20 ms on.
    const wholeAt = (v: number) => log.played.filter(([, s]) => s === v).at(-1)![0] + 20;
    const found = await replies(clock, transport, wholeAt);
    const reply2 = log.played.filter(([, s]) => s === 102).map(([at]) => at);
    const between = log.played.filter(([at, s]) =>
      s === 7 && at > reply2[0]! && at < reply2.at(-1)!
    );
    assert.ok(between.length > 0, "background played between reply 2's parts");
    // Within one of the module's 20 ms ticks: the measure's grain (a tick is logged by its first
    // sample, and the marks' samples put a reply's end a few samples into the next tick). Before
    // 9d0f336: heard whole 130 ms before the module had played it; before the mark at a reply's
    // start (`PlaybackTracker.beforeChunk`): 40 ms, the reply read by the delay learned a reply
    // before, while the module's grew (never dry, each reply's end-of-speech silence, sent under
    // background until fork_background_end_mark_test.ts, delayed the background after it).
    for (const { heard, played } of found) {
      assert.ok(heard >= played - 20, `heard whole at, played whole at: ${JSON.stringify(found)}`);
    }
    await transport.close();
  });
}

Deno.test("a Twilio-like far end, background between a reply's parts: the reply heard whole only as it plays its end", async () => {
  const { clock, pair, transport } = narrowbandCall(new MarkingSerializer(), {
    background: background(),
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: 16 });
  transport.receive(() => {});
  await clock.tick(10);
  const wholeAt = (v: number) => {
    const last = farEnd.played.filter((span) => span.value === v).at(-1)!;
    return last.at + last.ms;
  };
  const found = await replies(clock, transport, wholeAt);
  // Marks bound it to a mark interval; the estimate's own grain is a chunk.
  for (const { heard, played } of found) {
    assert.ok(heard >= played - 40, `heard whole at, played whole at: ${JSON.stringify(found)}`);
  }
  await transport.close();
});
