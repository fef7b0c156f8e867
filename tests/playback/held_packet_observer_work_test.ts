// Audio held for a packet not yet whole (`fixedAudioPacketSize`) leaves when its packet does: at
// a reply's end, padded after the quiet time, or with the chunk that completes the packet. Where
// the far end, by the estimate, ran dry before then, the observers are told of the move
// (`playoutMoved`). An observer's own work on that move (a recorder's, a heavy observer's: the
// event loop blocked) holds the turn that sent the packet on, as its work on any other move does:
// the packet leaves only once the turn ends, the far end plays it as it arrives, and the observers
// are told again, up to three moves a turn (README, "An observer's own work on such a move").
// Raw PCM: the estimate alone, against a far end that plays what arrives as it arrives
// (tests/_stall_call.ts).
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import type { PlayedSpan } from "../_fake_far_end.ts";
import { botRuns, BYTES_PER_MS, stallCall, toldPlaces } from "../_stall_call.ts";

const PACKET_MS = 100;

/**
 * When the far end played position `position` (ms of the reply's audio): its spans of the reply
 * (byte 7) back to back in position order; only the reply's last packet carries padding, after it.
 */
function playedAt(played: readonly PlayedSpan[], position: number): number {
  let start = 0;
  for (const span of played) {
    if (span.value !== 7) continue;
    if (position < start + span.ms) return span.at + (position - start);
    start += span.ms;
  }
  return NaN;
}

/** Stretches `[from, from + ms)`, joined where back to back, as `from-to` from the call's start. */
function runs(stretches: readonly [number, number][]): string[] {
  const joined: [number, number][] = [];
  for (const [from, ms] of stretches) {
    const last = joined.at(-1);
    if (last !== undefined && Math.abs(last[1] - from) < 1e-6) last[1] += ms;
    else joined.push([from, from + ms]);
  }
  return joined.map(([from, to]) => `${from - 1000}-${to - 1000}`);
}

interface ReplyOptions {
  /** Milliseconds of the reply (20 ms chunks; what a 100 ms packet is short of leaves padded). */
  ms: number;
  /** Milliseconds an observer works on the first move it is told of. */
  blockOnMove: number;
  /** It works that long on every move it is told of. */
  everyMove?: boolean;
  sendAheadMs?: number | undefined;
}

/**
 * One reply written at once into 100 ms packets: where the far end played each chunk of it, where
 * the observers were told it plays (moves applied as told), and where a recorder put it.
 */
async function reply(options: ReplyOptions) {
  const s = stallCall({
    chunkMs: 20,
    sendAheadMs: options.sendAheadMs,
    fixedAudioPacketSize: PACKET_MS * BYTES_PER_MS,
  });
  const { told, moves, observer } = toldPlaces();
  const recorder = new CallRecorder({ clock: s.clock, sampleRate: 16000 });
  s.transport.observe(observer);
  s.transport.observe(recorder);
  let moved = 0;
  s.transport.observe({
    playoutMoved: () => {
      if (++moved === 1 || options.everyMove) s.clock.block(options.blockOnMove);
    },
  });
  const wav = new Response(recorder.readable).arrayBuffer();
  await s.clock.tick(0);
  s.say(options.ms);
  await s.clock.tick(3000);
  s.pair.client.close(1000);
  await s.transport.closed;
  const played = s.farEnd.played;
  return {
    moves,
    told: runs(told.map((info) => [info.playsAt, info.durationMs])),
    played: runs(told.map((info) => [playedAt(played, info.position), info.durationMs])),
    recorded: botRuns(await wav),
  };
}

Deno.test("an observer that works on the move of a packet's held audio: the reply is told, and recorded, where the far end played it", async () => {
  const failures: string[] = [];
  let movesTold = 0;
  for (const sendAheadMs of [undefined, 60, 200]) {
    for (const ms of [50, 90, 130, 250]) {
      for (const blockOnMove of [10, 30]) {
        const r = await reply({ ms, blockOnMove, sendAheadMs });
        const what = `ahead ${sendAheadMs}, ${ms} ms reply, ${blockOnMove} ms on the move`;
        movesTold += r.moves.length;
        const heard = r.played.join(" ");
        if (r.told.join(" ") !== heard) {
          failures.push(`${what}: told ${r.told.join(" ")}, played ${heard}`);
        }
        if (r.recorded.join(" ") !== heard) {
          failures.push(`${what}: recorded ${r.recorded.join(" ")}, played ${heard}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(movesTold > 0, "no packet's held audio was moved: the sweep tests nothing");
});

Deno.test("an observer that works on every move of a packet's held audio is told a few, and the reply plays on", async () => {
  const r = await reply({ ms: 90, blockOnMove: 10, everyMove: true });
  assert.equal(r.moves.length, 3); // each one's work moved the packet once more
  assert.equal(r.played.length, 1, `the far end played it in one piece: ${r.played}`);
});
