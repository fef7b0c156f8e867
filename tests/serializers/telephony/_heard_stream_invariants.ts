/**
 * What must hold of any stream of 20 ms caller packets heard through a stage ordered by timestamp,
 * however its stamps are read: for the streams a property test cannot hold to one reading (the
 * stamps fit more than one, or fit a packet elsewhere as it arrives), checked instead of every
 * packet and every loss in its place.
 *
 * @module
 */

/** One frame out: the packet it carries (`undefined` for silence filled), its time and length. */
export interface HeardFrame {
  packet: number | undefined;
  atMs: number;
  lengthMs: number;
}

/** A stream as heard: its frames, or what the stage threw, and the stage's counts. */
export interface HeardStream {
  heard: HeardFrame[];
  counts: Partial<Record<string, number>>;
  thrown?: unknown;
}

/** Times are sums of sample counts over 8 kHz: equal within this, not bit for bit. */
const EPSILON_MS = 1e-6;

/**
 * What is wrong with `stream` as heard, as sentences (none when all holds), `sent` the packets
 * sent in the order they arrived, `lostMs` how much the truth lost, `packetMs` one packet's
 * length. Whatever the stage read of the stamps: nothing thrown; every packet heard at most once,
 * in the order sent (a stage may drop one, never move it); time never running back (each frame
 * at or after where the one before ends: a frame over the one before is heard twice at once);
 * silence filled no more than what was lost plus one packet (a reading of the stamps may misplace
 * a loss or take a late first for one, not invent more); every packet sent and not heard counted
 * (late or a duplicate), and every silence filled counted (`inboundMediaGapMs`), as
 * `transport.stats` shows them.
 */
export function weakFaults(
  { heard, counts, thrown }: HeardStream,
  sent: readonly number[],
  lostMs: number,
  packetMs: number,
): string[] {
  if (thrown !== undefined) return [`threw ${String(thrown)}`];
  const found: string[] = [];
  const delivered = heard.filter((h) => h.packet !== undefined).map((h) => h.packet!);
  if (new Set(delivered).size !== delivered.length) {
    found.push(`a packet heard twice: ${delivered.join()}`);
  }
  const sentAt = new Map(sent.map((packet, at) => [packet, at]));
  const order = delivered.map((packet) => sentAt.get(packet) ?? Number.NaN);
  if (!order.every((at, i) => i === 0 || at > order[i - 1]!)) {
    found.push(`heard out of order, or not sent: ${delivered.join()} of ${sent.join()}`);
  }
  for (let i = 1; i < heard.length; i++) {
    const before = heard[i - 1]!;
    const endMs = before.atMs + before.lengthMs;
    if (heard[i]!.atMs < endMs - EPSILON_MS) {
      found.push(
        `time ran back: frame ${i} (${heard[i]!.packet ?? "silence"}) at ${heard[i]!.atMs} ms, ` +
          `the one before (${before.packet ?? "silence"}) ends at ${endMs} ms`,
      );
      break;
    }
  }
  const silenceMs = heard.filter((h) => h.packet === undefined)
    .reduce((sum, h) => sum + h.lengthMs, 0);
  if (silenceMs > lostMs + packetMs + EPSILON_MS) {
    found.push(`${silenceMs} ms of silence filled, ${lostMs} ms lost`);
  }
  if (Math.abs(silenceMs - (counts.inboundMediaGapMs ?? 0)) > EPSILON_MS) {
    found.push(`${silenceMs} ms of silence heard, ${counts.inboundMediaGapMs ?? 0} ms counted`);
  }
  const dropped = sent.length - new Set(delivered).size;
  const counted = (counts.inboundMediaLate ?? 0) + (counts.inboundMediaDuplicates ?? 0);
  if (dropped !== counted) {
    found.push(`sent and not heard: ${dropped}; counted late or duplicates: ${counted}`);
  }
  return found;
}
