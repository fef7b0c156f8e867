// A property test of the first-stamp rule of media ordered by timestamp (`StampPlacement`'s
// `place`): a both-tracks stream as Plivo sends one (plivo.com/docs/voice/audio-streaming/
// audio-streaming, "Stream Event Protocol": with `<Stream audioTrack="both">` one `media.chunk`
// counter runs across both tracks, so the caller's chunks skip every other number and say only
// which packet is newer; `media.timestamp` is epoch ms, stamped by Plivo's wall clock). Each seed
// plays a stream of N 20 ms caller packets on a known true timeline, each stamp jittered by up to
// ±6 ms, the first stamped 0–100 ms late or the second 0–100 ms early, and random single losses;
// packets arrive in order.
//
// Every stream, whatever its stamps, is held to what no reading of them excuses (see
// `_heard_stream_invariants.ts`): nothing thrown, each packet heard at most once and in order,
// time never running back, no more silence than was lost plus one packet, every drop and every
// silence counted. Beyond that, a stream is held to the reading of its stamps the stamps alone
// prefer (`preferredReading` in `_stamp_readings.ts`: of the labellings of its stamps the
// generator's model allows, the one with the fewest losses): no packet that arrived is lost (none
// dropped as late or a duplicate), every loss of that reading is filled with silence of its own
// length within one packet, within one packet of where it was, and the output lasts as long as
// that reading within one packet. That reading is the truth but where the truth is the less
// likely of two that fit (19 of the 400: the first stamped L late with packet 1 lost fits the
// stamps exactly as the first L - 20 late with nothing lost does, and nine times likelier).
// Left out of that: streams whose fewest-loss readings place a loss more than a packet apart
// (`preferredReading` gives none: one of them is heard wrong whatever the stage does; none of the
// 400, nor of seeds 1–27,000), and those where, as some packet arrives, the stamps so far fit it
// in another place than its own (see `undecidedOnArrival`, which still takes the packets before
// it where they truly are): the stage places each packet as it comes, and a packet read in step
// goes out at once.
//
// Not every stream beyond these seeds holds (measured 2026-12-07, main at e5c9da0 with the second
// stamped early no longer read as the first late, `FIRST_STAMP_SEEDS=1-27000`): over seeds
// 1–27,000, 17,409 streams are held to their preferred reading and 20 fail (29 before): of the two
// kinds the rule does not yet settle, a first stamped 9–26 ms late whose third packet is then
// taken for a duplicate (seeds 7537, 13326, 18018) or a loss near it left unfilled (8479, 11284,
// 19681, 25382); 7 more held to their truth, seed 2663 the only reading its stamps allow (its
// first nine, stamped -1, 13, 37, 58, 79, 96, 115, 146 and 154 ms, none lost: the ninth dropped as
// a duplicate, 10 ms of silence before the eighth); and 6 where the preferred reading is not the
// truth and the stage hears neither (1452, 7003, 9138, 10068, 11662, 15298). Of the streams left
// out, 24 fail an invariant no reading excuses (112 before): each hears more silence than was lost
// plus one packet, a second stamped 19–38 ms early (seed 19741: 40 ms, none lost). Five more set a
// frame before the one before it ended (3785, 4653, 5619, 19615, 25911) until no frame was let
// start over audio heard (measured again at d33ec8c: the same 20 and these 24). No seed that held
// before fails now. The seeds here are the
// first 400, not chosen among the passing ones; none of them fails (`KNOWN_FAULTS` is empty, kept
// so that a fault found and not yet fixed can be listed there, the test saying so once it is).
import assert from "node:assert/strict";
import { packetHeardIn } from "../fixtures/levelled_packets.ts";
import { Prng } from "../../fuzz/prng.ts";
import { playedByTimestamp } from "./_ordered_media_stage.ts";
import { type HeardFrame, type HeardStream, weakFaults } from "./_heard_stream_invariants.ts";
import { preferredReading, type StampModel } from "./_stamp_readings.ts";

const PACKET_MS = 20;
const JITTER_MS = 6;
const SKEW_MS = 100;
/**
 * The seeds played: 1–400 unless `FIRST_STAMP_SEEDS` (e.g. `1-27000`) says otherwise, for a sweep
 * run by hand (CI plays the 400; the figures above were measured so). A sweep prints the failing
 * seeds of each kind, and checks nothing else: `KNOWN_FAULTS` are of the 400 alone.
 */
const SEED_RANGE = seedRange(Deno.env.get("FIRST_STAMP_SEEDS"));
const FIRST_SEED = SEED_RANGE.first;
const SEEDS = SEED_RANGE.count;

function seedRange(range: string | undefined): { first: number; count: number; swept: boolean } {
  if (range === undefined || range === "") return { first: 1, count: 400, swept: false };
  const match = /^(\d+)-(\d+)$/.exec(range);
  if (match === null) throw new Error(`FIRST_STAMP_SEEDS: ${range} is no range like 1-27000`);
  const first = Number(match[1]);
  return { first, count: Number(match[2]) - first + 1, swept: true };
}
const MODEL: StampModel = { packetMs: PACKET_MS, jitterMs: JITTER_MS, skewMs: SKEW_MS };

/**
 * Seeds left out of the preferred reading's checks that fail an invariant no reading excuses: the
 * stage is at fault, not the stamps. None of the 400 since the second stamped early is no longer
 * read as the first stamped late (seeds 14, 45 and 279, each a second stamped 23–33 ms early, heard
 * 23.5, 40 and 28 ms of silence more than was lost; see ordered_media_second_stamp_early_test.ts).
 */
const KNOWN_FAULTS: ReadonlyMap<number, string> = new Map();

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
    ? { kind: "first late" as const, ms: rng.int(SKEW_MS + 1) }
    : { kind: "second early" as const, ms: rng.int(SKEW_MS + 1) };
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

/** `stream` played through the stage: what was heard, or what the stage threw. */
function play(stream: Stream): HeardStream {
  const played = [...stream.stampMs].map(([packet, stampMs]) => ({ packet, stampMs }));
  try {
    const { frames, counts } = playedByTimestamp(played);
    // Fewer than 100 packets a stream: the level heard is the packet itself, not just mod 100.
    const heard: HeardFrame[] = frames.map((frame) => ({
      packet: packetHeardIn(frame),
      atMs: frame.timestampMs!,
      lengthMs: frame.audio.length / 16,
    }));
    return { heard, counts };
  } catch (thrown) {
    return { heard: [], counts: {}, thrown };
  }
}

/** What must hold of `stream` however its stamps are read (see `weakFaults`). */
function anyReadingFaults(stream: Stream, played = play(stream)): string[] {
  return weakFaults(played, [...stream.stampMs.keys()], PACKET_MS * stream.lost.size, PACKET_MS);
}

/**
 * What is wrong with how `stream` was heard, held to the reading `labels` (each sent packet's
 * number as the stamps read it, in the order sent), as sentences; none when every invariant holds.
 */
function faults(stream: Stream, labels: readonly number[]): string[] {
  const played = play(stream);
  const found = anyReadingFaults(stream, played);
  if (played.thrown !== undefined) return found;
  const sent = [...stream.stampMs.keys()];
  // The frames heard, each packet under its label in the reading.
  const labelOf = new Map(sent.map((packet, at) => [packet, labels[at]!]));
  const heard = played.heard.map((h) => ({
    ...h,
    packet: h.packet === undefined ? undefined : labelOf.get(h.packet) ?? Number.NaN,
  }));
  const count = labels[labels.length - 1]! + 1;
  const lost = new Set(
    Array.from({ length: count }, (_, n) => n).filter((n) => !labels.includes(n)),
  );
  const { counts } = played;
  const delivered = heard.filter((h) => h.packet !== undefined).map((h) => h.packet!);
  if (delivered.join() !== labels.join()) {
    found.push(`delivered ${delivered.join()} of sent ${labels.join()} (as read)`);
  }
  if (counts.inboundMediaLate || counts.inboundMediaDuplicates) {
    found.push(
      `dropped: late ${counts.inboundMediaLate ?? 0}, duplicates ${
        counts.inboundMediaDuplicates ?? 0
      }`,
    );
  }
  // Every loss: silence of its own length within one packet, where it was within one packet:
  // counted from the packet before it to the one a packet after the one after it (a loss read as
  // jitter a packet late, its silence set after that packet, is still heard within one packet),
  // against every loss between those two.
  const index = new Map(heard.map((h, i) => [h.packet, i]));
  for (const packet of lost) {
    const from = packet - 1;
    let to = packet + 2;
    while (lost.has(to)) to++;
    const before = index.get(from);
    const after = index.get(to) ?? heard.length;
    if (before === undefined) continue; // reported above
    const silenceMs = heard.slice(before + 1, after)
      .filter((h) => h.packet === undefined)
      .reduce((sum, h) => sum + h.lengthMs, 0);
    const lostMs = PACKET_MS * [...lost].filter((n) => n > from && n < to).length;
    if (!(Math.abs(silenceMs - lostMs) < PACKET_MS)) {
      found.push(
        `packet ${packet} lost, ${silenceMs} ms of silence about it (${lostMs} lost there)`,
      );
    }
  }
  const totalMs = heard.reduce((sum, h) => sum + h.lengthMs, 0);
  const readMs = PACKET_MS * count;
  if (!(Math.abs(totalMs - readMs) < PACKET_MS)) {
    found.push(`lasted ${totalMs} ms, ${readMs} ms as read`);
  }
  return found;
}

function describe(seed: number, stream: Stream): string {
  const stamps = [...stream.stampMs].map(([p, s]) => `${p}@${s}`).join(" ");
  return `seed ${seed}: ${stream.skew.kind} ${stream.skew.ms} ms, lost [${
    [...stream.lost].join(",")
  }], stamps ${stamps}`;
}

Deno.test(`\`OrderedMedia\` by timestamp hears ${SEEDS} jittered both-tracks streams, the first stamp late or the second early, with every packet and every loss the stamps tell in its place, and the rest without a fault no reading excuses`, () => {
  const failures: string[] = [];
  const knownFaults: number[] = [];
  // By kind, for a sweep's summary: a fault no reading excuses, a fault against the preferred one.
  const invariantSeeds: number[] = [];
  const preferredSeeds: number[] = [];
  let checked = 0;
  let readOtherwise = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    const stream = planStream(seed);
    const labels = preferredReading([...stream.stampMs.values()], MODEL);
    if (labels === undefined || undecidedOnArrival(stream)) {
      const found = anyReadingFaults(stream);
      if (found.length > 0) invariantSeeds.push(seed);
      if (found.length > 0 && KNOWN_FAULTS.has(seed) && !SEED_RANGE.swept) knownFaults.push(seed);
      else if (found.length > 0) {
        failures.push(`${describe(seed, stream)}\n  ${found.join("\n  ")}`);
      }
      continue;
    }
    checked++;
    if (labels.join() !== [...stream.stampMs.keys()].join()) readOtherwise++;
    const found = faults(stream, labels);
    if (found.length > 0) preferredSeeds.push(seed);
    if (found.length > 0) failures.push(`${describe(seed, stream)}\n  ${found.join("\n  ")}`);
  }
  if (SEED_RANGE.swept) {
    // A few, as a replay of seeds named (`FIRST_STAMP_SEEDS=45-45`): what each heard wrong.
    if (failures.length <= 10) { for (const failure of failures) console.log(failure); }
    console.log(`held to the preferred reading: ${checked} of ${SEEDS}`);
    console.log(`invariant failures (${invariantSeeds.length}): ${invariantSeeds.join(" ")}`);
    console.log(
      `preferred-reading failures (${preferredSeeds.length}): ${preferredSeeds.join(" ")}`,
    );
    return;
  }
  // About 6 in 10: most streams left out have a packet among the first few whose stamp is 8 ms or
  // more off the two or three before it, all they say of the grid then.
  assert.ok(checked > SEEDS * 0.55, `only ${checked} of ${SEEDS} streams were unambiguous`);
  // The preferred reading is not the truth's alone: the streams the truth-based exclusion left out.
  assert.ok(readOtherwise > 0, "no stream was held to a reading other than its truth");
  assert.deepEqual(failures, []);
  assert.deepEqual(knownFaults, [...KNOWN_FAULTS.keys()], "known faults fixed: drop them");
});
