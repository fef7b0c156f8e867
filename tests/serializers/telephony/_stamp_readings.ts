/**
 * The readings a stream's stamps allow, from the stamps alone: for a property test of media ordered
 * by timestamp that must not hold the stage to a truth its stamps do not tell.
 *
 * @module
 */

/** What a generator of jittered streams promises of its stamps (all in ms). */
export interface StampModel {
  /** Every packet's length, and the grid's step. */
  packetMs: number;
  /** Each stamp is within this of its packet's true time, but the one skewed. */
  jitterMs: number;
  /** The first stamped late, or the second early, by 0 to this; the other one on time. */
  skewMs: number;
}

/**
 * Every labelling of `stamps` (arrival order, which is the true order) as packet numbers that the
 * model allows: a true origin anywhere (the stage counts from the first stamp, so only the stamps'
 * differences speak), each stamp within the jitter of its packet's time, but the first stamped up
 * to `skewMs` late or the second (then packet 1, sent) up to `skewMs` early; the first packet never
 * lost, and losses single (each label one or two past the one before). As each label is a whole
 * packet and the jitter under half a packet, an origin fixes every label: origins are tried every
 * half ms over the range the first stamp allows, which meets every interval between the stamps'
 * integer bounds.
 */
export function readingsOf(stamps: readonly number[], model: StampModel): number[][] {
  const { packetMs, jitterMs, skewMs } = model;
  const found = new Map<string, number[]>();
  const first = stamps[0]!;
  for (const skewed of [0, 1]) {
    for (let twice = 2 * (first - skewMs - jitterMs); twice <= 2 * (first + jitterMs); twice++) {
      const originMs = twice / 2;
      const labels: number[] = [];
      for (let at = 0; at < stamps.length; at++) {
        const sinceMs = stamps[at]! - originMs;
        const label = at === skewed ? at : Math.round(sinceMs / packetMs);
        const offMs = sinceMs - packetMs * label;
        const fits = at === 0 && skewed === 0
          ? offMs >= -jitterMs && offMs <= skewMs + jitterMs
          : at === 1 && skewed === 1
          ? offMs >= -skewMs - jitterMs && offMs <= jitterMs
          : Math.abs(offMs) <= jitterMs;
        const step = at === 0 ? (label === 0 ? 1 : 0) : label - labels[at - 1]!;
        if (!fits || !(step === 1 || step === 2)) break;
        labels.push(label);
      }
      if (labels.length === stamps.length) found.set(labels.join(), labels);
    }
  }
  return [...found.values()];
}

/** How many packets `labels` says were lost (none after the last: no stamp tells of those). */
export function lossesOf(labels: readonly number[]): number {
  return labels[labels.length - 1]! + 1 - labels.length;
}

/**
 * The reading the stage is held to: of those `stamps` allow, the one with the fewest losses (each
 * loss is a packet the stamps may have been read past, and packets are far likelier sent than lost:
 * of two readings that both fit, the one that invents less silence). `undefined` where two
 * readings with that fewest number of losses fit and place a loss more than one packet apart (the
 * test's checks allow a loss heard a packet off its place): the stamps fit both equally, and one
 * of the two is heard wrong whatever the stage does.
 */
export function preferredReading(
  stamps: readonly number[],
  model: StampModel,
): number[] | undefined {
  const readings = readingsOf(stamps, model);
  const fewest = Math.min(...readings.map(lossesOf));
  const best = readings.filter((labels) => lossesOf(labels) === fewest);
  const lossesAt = (labels: readonly number[]) =>
    labels.flatMap((label, at) => at > 0 && label - labels[at - 1]! === 2 ? [at] : []);
  const [chosen, ...others] = best;
  if (chosen === undefined) return undefined;
  const chosenAt = lossesAt(chosen);
  const apart = others.some((other) =>
    lossesAt(other).some((at, loss) => Math.abs(at - chosenAt[loss]!) > 1)
  );
  return apart ? undefined : chosen;
}
