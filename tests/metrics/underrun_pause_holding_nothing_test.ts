// Underruns around a pause of the far end's playout that held none of the bot's audio (Asterisk's
// `PAUSE_MEDIA` … `CONTINUE_MEDIA`: docs.asterisk.org, Configuration → Channel Drivers →
// WebSocket, "Commands"): the bot pauses its reply as the caller begins to talk, its first
// sentence already played out and the next not yet written, and plays on once it takes what they
// said for a backchannel. The far end played its first sentence, ran dry, played silence by
// request, ran dry again, then played the next sentence: the pause is no underrun (README,
// "Metrics"), the dry time before and after it is, one underrun (the far end ran out once, and had
// nothing until the next sentence). The play-on moves nothing (nothing was held), so no move
// follows it: a later move of the next sentence, which left late (an event loop stalled 100 ms
// on its first chunk), is that audio's own lateness, a longer gap, not the held audio placed
// after the pause. Every figure is checked against what the far end logged it played, tick by
// tick (tests/serializers/fixtures/asterisk_channel_playout.ts, its docs cited there).
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { StallClock } from "../_stall_clock.ts";
import { asterisk16kTransport } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "../serializers/fixtures/filled_pcm_16k.ts";
import { pausingAsterisk } from "../serializers/fixtures/pausing_asterisk.ts";

/** The reply's bytes. */
const REPLY = 0x11;
const sentence = (ms: number) => ({ ...filledPcm16k(ms * 32, REPLY), responseId: "r1" });
const command = (name: string) => ({
  type: "message" as const,
  message: { command: name },
  urgent: true,
});

/**
 * r1's first sentence (1 s) is written at 800 and plays out by 1820; the bot pauses at 2400 and
 * plays on at 3000; the next sentence (1 s) is written at 3200, its first chunk held `stallMs` by
 * the event loop as it leaves. Returns what the far end heard, what the observers were told of
 * the hold and the moves, and the metrics as the call ended.
 */
async function pausedBetweenSentences(stallMs: number) {
  const { clock, pair, transport } = asterisk16kTransport({}, new StallClock());
  const errors: string[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error.message));
  const metrics = SessionMetrics.attach(transport, { speech: false });
  const told: string[] = [];
  let stallOnChunk = false;
  transport.observe({
    outboundAudio: () => {
      if (stallOnChunk) clock.block(stallMs);
      stallOnChunk = false;
    },
    playoutHeld: (info) => void told.push(`${info.held ? "held" : "plays on"} ${info.position}`),
    playoutMoved: (info) => void told.push(`moved ${info.position}`),
  });
  const { ticks } = pausingAsterisk(clock, pair);
  transport.receive(() => {});
  const steps: Array<[number, () => void]> = [
    [800, () => void transport.send(sentence(1000))],
    [2400, () => void transport.send(command("PAUSE_MEDIA"))],
    [3000, () => void transport.send(command("CONTINUE_MEDIA"))],
    [3200, () => {
      stallOnChunk = stallMs > 0;
      void transport.send(sentence(1000));
    }],
  ];
  while (clock.now() < 6000) {
    while (steps.length > 0 && steps[0]![0] <= clock.now()) steps.shift()![1]();
    await clock.tick(20);
  }
  const { outbound } = metrics.snapshot();
  pair.client.close(1000);
  await transport.closed;
  assert.deepEqual(errors, []);
  return { ticks, told, outbound };
}

for (const stallMs of [0, 100]) {
  const late = stallMs > 0 ? `, the next sentence leaving ${stallMs} ms late,` : "";
  Deno.test(`underruns: a pause that held nothing${late} counts the far end's dry time around it, not the pause`, async () => {
    const { ticks, told, outbound } = await pausedBetweenSentences(stallMs);
    // The far end's truth: the ticks that played the reply, and those the pause held silent.
    const voiced = ticks.filter((t) => typeof t.heard === "object").map((t) => t.at);
    assert.equal(voiced.length, 100, "both sentences played whole");
    const firstSentenceEnds = voiced[49]! + 20;
    const nextSentenceAt = voiced[50]!;
    const pausedMs = ticks.filter((t) => t.heard === "paused").length * 20;
    assert.equal(pausedMs, 600);
    // The stalled far end's ticks fire late too (one clock here): its first voiced tick after the
    // stall is when the late chunk played. Dry: 1820 to the pause, and from the play-on on.
    const dryMs = nextSentenceAt - firstSentenceEnds - pausedMs;
    assert.equal(dryMs, 800 + (stallMs > 0 ? 80 : 0));
    // The play-on moved nothing: the only move is the late chunk's, from the same position.
    assert.deepEqual(told, [
      "held 1000",
      "plays on 1000",
      ...(stallMs > 0 ? ["moved 1000"] : []),
    ]);
    assert.equal(
      outbound.underruns,
      1,
      "the far end ran out once, and had nothing until the next sentence",
    );
    assert.ok(
      Math.abs(outbound.underrunMs - dryMs) <= 20,
      `underrunMs ${outbound.underrunMs}, the far end was dry ${dryMs} ms`,
    );
  });
}
