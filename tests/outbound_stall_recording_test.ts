// A bot's `speakingstart` listener works 300 ms synchronously as its reply begins: the reply's
// first chunk leaves only once the listener is done, and observers (a call recorder) are told of
// it after the listener: where it plays is not before then. The estimate keeps it in its slot (the
// tracker placed it there before the listener ran), and what follows is placed after it as it
// plays (see outbound_stall_test.ts); what observers are told must agree with the far end.
// Work that comes later in the turn (an observer's, on a later chunk of the turn) holds the
// chunks told of before it too: they leave with the turn's end and play from then, and observers
// are told of the move (`playoutMoved`), so the recording has them where they played.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../mod.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";
import { StallClock } from "./_stall_clock.ts";
import { botRuns, stallCall } from "./_stall_call.ts";

/** The stretches the far end played audio of byte `value` in, in ms from `origin`, joined. */
function playedRuns(farEnd: FakeFarEnd, value: number, origin: number): string[] {
  const runs: [number, number][] = [];
  for (const { value: v, at, ms } of farEnd.played) {
    if (v !== value) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[1] === at - origin) last[1] += ms;
    else runs.push([at - origin, at - origin + ms]);
  }
  return runs.map(([from, to]) => `${from}-${to}`);
}

Deno.test("after 300 ms of work in speakingstart, the recording has the reply where it played, in one piece", async () => {
  const { clock, pair, transport } = stallCall({ chunkMs: 20 });
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const early: string[] = [];
  transport.observe({
    outboundAudio: (_chunk, info) => {
      if (info.playsAt < info.sentAt) early.push(`sent ${info.sentAt}, plays ${info.playsAt}`);
    },
  });
  const wav = new Response(recorder.readable).arrayBuffer();
  transport.addEventListener("speakingstart", () => clock.block(300));
  await speakOneSecond(transport, clock, pair);
  assert.deepEqual(early, [], "no chunk is told to observers as playing before it left");
  // The caller heard the reply from 300 ms (when it left) to 1300 ms, in one piece.
  assert.deepEqual(botRuns(await wav), ["300-1300"]);
});

/** The bot says 1 s of bytes 7 at once; three seconds on, the caller hangs up. */
async function speakOneSecond(
  transport: WebSocketTransport,
  clock: StallClock,
  pair: MemorySocketPair,
): Promise<void> {
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array(32 * 1000).fill(7),
    sampleRate: 16000,
    channels: 1,
  });
  await clock.tick(3000);
  pair.client.close(1000);
  await transport.closed;
}

/**
 * A 1 s reply on a stalling clock, an observer working 300 ms on the `k`th chunk it is told of
 * (told before the recorder, or after it), and a recorder: where the bot is in the recording, and
 * where the far end played it. Raw PCM (the estimate alone), or a far end behind a 100 ms jitter
 * buffer that acknowledges marks (the estimate corrected by its answers).
 */
async function reply(k: number, blockerFirst: boolean, acks: boolean, sendAheadMs?: number) {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: acks ? new MarkingSerializer() : new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...(acks ? { playoutDelayMs: 100 } : {}),
    ...(sendAheadMs === undefined ? {} : { sendAheadMs }),
  });
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: acks ? 100 : 0,
    bytesPerMs: 32,
    acks,
  });
  transport.receive(() => {});
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  let n = 0;
  const blocker = { outboundAudio: () => void (++n === k && clock.block(300)) };
  if (blockerFirst) transport.observe(blocker);
  transport.observe(recorder);
  if (!blockerFirst) transport.observe(blocker);
  const wav = new Response(recorder.readable).arrayBuffer();
  await speakOneSecond(transport, clock, pair);
  return { recorded: botRuns(await wav), played: playedRuns(farEnd, 7, 1000) };
}

Deno.test("an observer's 300 ms on a chunk of a reply: the recording has what its turn sent before where it played", async () => {
  const failures: string[] = [];
  for (const acks of [false, true]) {
    for (const sendAheadMs of [undefined, 60, 200]) {
      for (const k of [1, 2, 3, 5, 8]) {
        for (const blockerFirst of [false, true]) {
          const { recorded, played } = await reply(k, blockerFirst, acks, sendAheadMs);
          if (recorded.join() === played.join()) continue;
          const what = `${acks ? "acks" : "raw PCM"}, ahead ${sendAheadMs}, 300 ms on #${k}` +
            `${blockerFirst ? " before the recorder" : ""}`;
          failures.push(`${what}: recorded ${recorded.join(" ")}, played ${played.join(" ")}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});
