// A property test of the first-stamp rule of media ordered by timestamp (`StampPlacement`'s
// `place`): a both-tracks stream as Plivo sends one (plivo.com/docs/voice/audio-streaming/
// audio-streaming, "Stream Event Protocol": with `<Stream audioTrack="both">` one `media.chunk`
// counter runs across both tracks, so the caller's chunks skip every other number and say only
// which packet is newer; `media.timestamp` is epoch ms, stamped by Plivo's wall clock). Each seed
// plays a stream of N 20 ms caller packets on a known true timeline, each stamp jittered by up to
// ±6 ms, the first stamped 0–100 ms late or the second 0–100 ms early, and random single losses;
// packets arrive in order. Checked of every stream: no packet that arrived is lost (none dropped as
// late or a duplicate: there are no true duplicates), every true loss is filled with silence of
// its own length within one packet, within one packet of where it was, and the output lasts as
// long as the true timeline within one packet. Streams the stamps alone cannot tell from another
// whose truth differs are left out (see `ambiguous`), and so are those where, as some packet
// arrives, the stamps so far fit it in another place than its own (see `undecidedOnArrival`): the
// stage places each packet as it comes, and a packet read in step goes out at once.
//
// Not every stream beyond these seeds holds: over seeds 1–27,000 (16,404 streams checked), 19
// fail, of two kinds the rule does not yet settle (measured 2026-12-07): a first stamped 10–26 ms
// late whose third packet is then taken for a duplicate (seeds 7537, 8479, 11284, 13326, 18018,
// 19681, 25382), and a packet after a loss stamped more than 6 ms off the grid before four
// packets have told the stamps' bias (seed 1275). The seeds here are the first 400, not chosen
// among the passing ones. `ambiguous` is argued from the truth the test knows (each case pairs
// with another truth giving the same stamps), not derived from the stamps alone.
import assert from "node:assert/strict";
import { packetHeardIn } from "../fixtures/levelled_packets.ts";
import { Prng } from "../../fuzz/prng.ts";
import { playedByTimestamp } from "./_ordered_media_stage.ts";

const PACKET_MS = 20;
const JITTER_MS = 6;
const SEEDS = 400;
const FIRST_SEED = 1;

/** One stream: its true packets, which of them were lost, and each sent packet's stamp. */
interface Stream {
  count: number;
  lost: Set<number>;
  stampMs: Map<number, number>;
  /** How the first two stamps were set off, for the failure message. */
  skew: { kind: "first late" | "second early"; ms: number };
}

function planStream(seed: number): Stream {
  const rng = new Prng(seed);
  const count = 12 + rng.int(50);
  const lost = new Set<number>();
  // Single losses, never two in a row. Never the first packet (the stream's first is the one the
  // rule is about: a lost first makes the second the first, a case of its own below), and never
  // the last: no stamp after it says it was missing, a loss no receiver can see.
  for (let packet = 1; packet < count - 1; packet++) {
    if (!lost.has(packet - 1) && rng.chance(0.1)) lost.add(packet);
  }
  const skew = rng.chance(0.5)
    ? { kind: "first late" as const, ms: rng.int(101) }
    : { kind: "second early" as const, ms: rng.int(101) };
  // The second early is the second packet's stamp: it must be sent to be early.
  if (skew.kind === "second early") lost.delete(1);
  const stampMs = new Map<number, number>();
  for (let packet = 0; packet < count; packet++) {
    if (lost.has(packet)) continue;
    let stamp = PACKET_MS * packet + rng.int(2 * JITTER_MS + 1) - JITTER_MS;
    if (skew.kind === "first late" && packet === 0) stamp += skew.ms;
    if (skew.kind === "second early" && packet === 1) stamp -= skew.ms;
    stampMs.set(packet, stamp);
  }
  return { count, lost, stampMs, skew };
}

/**
 * Whether the stamps alone cannot tell this stream from another whose truth differs: excluded,
 * since one of the two is heard wrong whatever the stage does. Stamps count from the first, so
 * only their differences speak (jitter aside below):
 * - The first late by L with packet 2 (the third) lost: 0, 20 - L, -, 60 - L. The second early by
 *   E, nothing lost: 0, 20 - E, 40, 60. The same where L = E = 20, one packet ("first 20 ms late
 *   with the third lost cannot be told from the second stamped 20 ms early"). Both sides are
 *   excluded: with each stamp ±6 ms off, two stamps are off each other by up to 12 ms, so L or E
 *   within 12 ms of 20.
 * - The first late by L with packet 1 (the second) lost: L, 40, 60, ... The first late by L - 20,
 *   nothing lost: L - 20, 20, 40, ...: counted from the first, the same stamps for any L of a
 *   packet or more (less the 12 ms of jitter); the loss right after the first is not in them.
 */
function ambiguous(stream: Stream): boolean {
  const { skew, lost } = stream;
  const nearOnePacket = Math.abs(skew.ms - PACKET_MS) <= 2 * JITTER_MS;
  if (skew.kind === "first late") {
    if (lost.has(1)) return skew.ms >= PACKET_MS - 2 * JITTER_MS;
    return nearOnePacket && lost.has(2);
  }
  // The second early by E with packet 2 lost, 0, 20 - E, -, 60, is the first late by E with
  // packets 2 and 3 lost, 0, 20 - E, -, -, 80 - E, within the jitter: where E is within 12 ms
  // of 20 too, packet 3's stamp says one loss or two as much.
  return nearOnePacket;
}

/**
 * Whether some packet, as it arrives, can be read as a packet other than its own by the stamps so
 * far: the stage must place it then (one in step goes out at once; only later stamps could tell).
 * Each stamp is within JITTER_MS of its time but one, the first or the second, which may be off by
 * any amount, and the stamps do not say which: each of the three readings (the first off, the
 * second off, none) that fits every stamp so far bounds where the true grid lies, and a packet
 * whose stamp fits another place than its own within one of those bounds is undecided. The packets
 * before it are taken where they truly are (a stage that misplaced one failed there already).
 */
function undecidedOnArrival(stream: Stream): boolean {
  const sent = [...stream.stampMs];
  for (let at = 1; at < sent.length; at++) {
    const [packet, stamp] = sent[at]!;
    const previous = sent[at - 1]![0];
    for (const offStamp of [0, 1, -1]) {
      let low = -Infinity;
      let high = Infinity;
      for (const [before, beforeStamp] of sent.slice(0, at)) {
        if (before === offStamp) continue;
        low = Math.max(low, beforeStamp - PACKET_MS * before - JITTER_MS);
        high = Math.min(high, beforeStamp - PACKET_MS * before + JITTER_MS);
      }
      // This reading does not fit the stamps so far, or leaves none to go by.
      if (!(low <= high) || low === -Infinity || offStamp === packet) continue;
      for (const other of [packet - 2, packet - 1, packet + 1, packet + 2]) {
        if (other <= previous) continue;
        if (
          stamp - PACKET_MS * other - JITTER_MS <= high &&
          stamp - PACKET_MS * other + JITTER_MS >= low
        ) {
          return true;
        }
      }
    }
  }
  return false;
}

/** One frame out: the packet it carries (`undefined` for silence filled), its time and length. */
interface Heard {
  packet: number | undefined;
  atMs: number;
  lengthMs: number;
}

function play(stream: Stream) {
  const played = [...stream.stampMs].map(([packet, stampMs]) => ({ packet, stampMs }));
  const { frames, counts } = playedByTimestamp(played);
  // Fewer than 100 packets a stream: the level heard is the packet itself, not just mod 100.
  const heard: Heard[] = frames.map((frame) => ({
    packet: packetHeardIn(frame),
    atMs: frame.timestampMs!,
    lengthMs: frame.audio.length / 16,
  }));
  return { heard, counts };
}

/** What is wrong with how `stream` was heard, as sentences; none when every invariant holds. */
function faults(stream: Stream): string[] {
  const { heard, counts } = play(stream);
  const found: string[] = [];
  const sent = [...stream.stampMs.keys()];
  const delivered = heard.filter((h) => h.packet !== undefined).map((h) => h.packet!);
  if (delivered.join() !== sent.join()) {
    found.push(`delivered ${delivered.join()} of sent ${sent.join()}`);
  }
  if (counts.inboundMediaLate || counts.inboundMediaDuplicates) {
    found.push(
      `dropped: late ${counts.inboundMediaLate ?? 0}, duplicates ${
        counts.inboundMediaDuplicates ?? 0
      }`,
    );
  }
  // Every true loss: silence of its own length within one packet, where it was within one packet:
  // counted from the packet before it to the one a packet after the one after it (a loss read as
  // jitter a packet late, its silence set after that packet, is still heard within one packet),
  // against every loss between those two.
  const index = new Map(heard.map((h, i) => [h.packet, i]));
  for (const packet of stream.lost) {
    const from = packet - 1;
    let to = packet + 2;
    while (stream.lost.has(to)) to++;
    const before = index.get(from);
    const after = index.get(to) ?? heard.length;
    if (before === undefined) continue; // reported above
    const silenceMs = heard.slice(before + 1, after)
      .filter((h) => h.packet === undefined)
      .reduce((sum, h) => sum + h.lengthMs, 0);
    const lostMs = PACKET_MS * [...stream.lost].filter((n) => n > from && n < to).length;
    if (!(Math.abs(silenceMs - lostMs) < PACKET_MS)) {
      found.push(
        `packet ${packet} lost, ${silenceMs} ms of silence about it (${lostMs} lost there)`,
      );
    }
  }
  const totalMs = heard.reduce((sum, h) => sum + h.lengthMs, 0);
  const trueMs = PACKET_MS * stream.count;
  if (!(Math.abs(totalMs - trueMs) < PACKET_MS)) {
    found.push(`lasted ${totalMs} ms, truly ${trueMs} ms`);
  }
  return found;
}

function describe(seed: number, stream: Stream): string {
  const stamps = [...stream.stampMs].map(([p, s]) => `${p}@${s}`).join(" ");
  return `seed ${seed}: ${stream.skew.kind} ${stream.skew.ms} ms, lost [${
    [...stream.lost].join(",")
  }], stamps ${stamps}`;
}

Deno.test(`\`OrderedMedia\` by timestamp hears ${SEEDS} jittered both-tracks streams, the first stamp late or the second early, with every packet and every loss in its place`, () => {
  const failures: string[] = [];
  let checked = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    const stream = planStream(seed);
    if (ambiguous(stream) || undecidedOnArrival(stream)) continue;
    checked++;
    const found = faults(stream);
    if (found.length > 0) failures.push(`${describe(seed, stream)}\n  ${found.join("\n  ")}`);
  }
  // About 6 in 10: most streams left out have a packet among the first few whose stamp is 8 ms or
  // more off the two or three before it, all they say of the grid then.
  assert.ok(checked > SEEDS * 0.55, `only ${checked} of ${SEEDS} streams were unambiguous`);
  assert.deepEqual(failures, []);
});
