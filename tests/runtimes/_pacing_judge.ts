/**
 * Judges a pacing measurement taken in a real runtime on a shared machine: when each chunk left,
 * against the schedule the transport should keep, beside a bare timer chain measured meanwhile on
 * the same clock (what the runtime achieved right then). Pure, so that its own test shows, on
 * synthetic timelines, that it fails a transport that drifts, bursts or stalls on its own.
 *
 * @module
 */

/** What a runtime recorded, on its own clock, in milliseconds. */
export interface PacingRun {
  /** When each chunk left, in order; the first one's leaving anchors both schedules. */
  sends: readonly number[];
  /**
   * When each timer of the bare chain fired: timer k was due at `sends[0] + k·chunkMs`, and after
   * a stall the chain fires its missed deadlines at once (it catches up, as the transport must not).
   */
  timers: readonly number[];
}

/** The transport's pacing, as configured. */
export interface PacingRules {
  /** How long each chunk plays, in milliseconds (the bare chain ticks as often). */
  chunkMs: number;
  /** The send-ahead (`sendAheadMs`): how long before it plays a chunk may leave. */
  leadMs: number;
}

/** Lateness figures of one timeline, in ms. */
export interface Lateness {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  earliest: number;
}

/** A place where the schedule started over after a stall the bare timers had too. */
export interface Reanchor {
  /** The chunk that left after its slot had played. */
  chunk: number;
  /** How late it left, against the schedule before it. */
  lateMs: number;
  /** How much later everything after it is due: the gap the far end heard. */
  shiftMs: number;
}

/** The figures of a run, and what is wrong with it (`problems` empty: nothing). */
export interface PacingVerdict {
  /** When each chunk left, against the schedule the transport should keep (re-anchored). */
  sends: Lateness;
  /** The bare timers over the same stretch of time. */
  timers: Lateness;
  /** From the first chunk's leaving to the last's. */
  spanMs: number;
  /** What that span should be: the chunks' playing time minus the lead, plus `shiftMs`. */
  expectedSpanMs: number;
  reanchors: Reanchor[];
  /** The re-anchors' shifts, summed. */
  shiftMs: number;
  /** How long the bare timers were stalled, in stalls longer than the lead, over the span. */
  bareStallMs: number;
  problems: string[];
}

/**
 * How much of a late chunk's lateness may lack a bare stall around it, besides one tick of the
 * bare chain (it sees a stall only from its next deadline on: one that began just after a tick is
 * seen a tick late): the order in which the runtime fires the transport's timer and the chain's
 * after the stall, and the chain's catching up one timer per task.
 */
const STALL_MATCH_SLACK_MS = 10;

/**
 * Judges `run`. The bound is p99 lateness ≤ 5 ms; on a shared machine the runtime's own
 * timers may be later than that, so the bound is held to what the transport adds over them: p99
 * (p95 for runs under 200 chunks, whose p99 is their maximum) at most 5 ms over the bare timers',
 * the median at most 2 ms over theirs. No chunk leaves early, and the whole leaves over its
 * playing time minus the lead, plus the gaps of the accepted re-anchors.
 *
 * The schedule: chunk i may leave `lead` before it plays, chunk i playing at `anchor + (i −
 * first)·chunk` (`first` the chunk that anchored it), and never before the anchor; at first
 * anchor = `sends[0]`, or earlier where the sends as a whole say the schedule began earlier (see
 * `scheduleStart`), first = 0. It starts over, as the transport's does (`PlayoutTimeline`'s
 * commit, `#placeAt`), at a chunk that left after its own slot had played (`playsAt + chunk`):
 * more than lead + chunk late, the far end has run dry and plays it as it arrives, so later audio
 * follows it from there (anchor = when it left, first = it) instead of bursting to catch up. A
 * chunk less late than that leaves the schedule as it was (the ones due meanwhile leave at once).
 * (The pacer also starts over at a chunk only more than the lead late when it reserves that chunk
 * after its slot began: a stall inside the turn that sent the chunk before it, between the send
 * and the clock's next reading. Not followed here: rare, and it would read the rest up to a
 * chunk late, failing the run, never passing a bad one.)
 *
 * A re-anchor is accepted only where the machine stalled, not the transport alone: the bare
 * timers' stalls (each timer from its deadline to its firing, merged) must cover the late chunk's
 * wait (from its deadline to its leaving) but for one tick of the chain and a slack. A stretch
 * the bare timers show no stall in is never covered, whatever the alignment of the two grids, so
 * a transport that stalls, drifts past the lead or re-anchors by itself fails; its chunks are
 * then judged against the schedule kept, and read late. The accepted shifts, summed, may not
 * exceed the bare timers' stalls longer than the lead (plus the slack once per re-anchor).
 */
export function judgePacing(run: PacingRun, rules: PacingRules): PacingVerdict {
  const { sends, timers } = run;
  const { chunkMs, leadMs } = rules;
  const start = sends[0]!;
  const last = sends.at(-1)!;
  const stalls = bareStalls(timers, start, chunkMs);
  const problems: string[] = [];
  const reanchors: Reanchor[] = [];
  const unmatched: string[] = [];
  const late: number[] = [];
  let anchor = scheduleStart(sends, chunkMs, leadMs);
  let first = 0;
  let shiftMs = 0;
  for (const [i, at] of sends.entries()) {
    const playsAt = anchor + (i - first) * chunkMs;
    const deadline = Math.max(anchor, playsAt - leadMs);
    late.push(at - deadline); // a re-anchoring chunk was late all the same: the stall
    if (!(at > playsAt + chunkMs)) continue;
    const covered = coveredMs(stalls, deadline, at);
    if (at - deadline - covered <= chunkMs + STALL_MATCH_SLACK_MS) {
      reanchors.push({ chunk: i, lateMs: at - deadline, shiftMs: at - playsAt });
      shiftMs += at - playsAt;
      anchor = at;
      first = i;
    } else {
      unmatched.push(`chunk ${i} ${at - deadline} ms late, ${covered} ms of it in bare stalls`);
    }
  }
  if (unmatched.length > 0) {
    problems.push(
      `${unmatched.length} chunks left after their slot had played with no stall of the bare ` +
        `timers to match: ${unmatched.slice(0, 3).join(", ")}`,
    );
  }
  const bareStallMs = stalls.reduce(
    (sum, [from, to]) =>
      to - from > leadMs ? sum + Math.max(0, Math.min(to, last) - Math.max(from, start)) : sum,
    0,
  );
  if (shiftMs > bareStallMs + STALL_MATCH_SLACK_MS * reanchors.length) {
    problems.push(
      `the re-anchors moved the schedule ${shiftMs} ms, the bare timers stalled ${bareStallMs} ms`,
    );
  }
  const expectedSpanMs = Math.max(0, (sends.length - 1) * chunkMs - leadMs) + shiftMs;
  const spanMs = last - start;
  // The bare timers due over the same stretch: timer k is due at `start + k·chunk`.
  const during = timers.slice(0, Math.floor(expectedSpanMs / chunkMs) + 1);
  const sendFigures = figures(late);
  const timerFigures = figures(during.map((firedAt, k) => firedAt - (start + k * chunkMs)));
  const tail = sendFigures.count >= 200 ? "p99" : "p95";
  if (sendFigures[tail] > timerFigures[tail] + 5) {
    problems.push(
      `${tail} lateness ${sendFigures[tail]} ms, ${timerFigures[tail]} ms for bare timers`,
    );
  }
  if (sendFigures.p50 > timerFigures.p50 + 2) {
    problems.push(`median lateness ${sendFigures.p50} ms, ${timerFigures.p50} ms for bare timers`);
  }
  if (sendFigures.earliest < -1) problems.push(`a chunk left ${-sendFigures.earliest} ms early`);
  if (Math.abs(spanMs - expectedSpanMs) > chunkMs) {
    problems.push(
      `${sends.length} chunks left over ${spanMs} ms, not ~${expectedSpanMs} ` +
        `(re-anchors: +${shiftMs} ms)`,
    );
  }
  return {
    sends: sendFigures,
    timers: timerFigures,
    spanMs,
    expectedSpanMs,
    reanchors,
    shiftMs,
    bareStallMs,
    problems,
  };
}

/**
 * The stretches the bare chain was behind its schedule (each timer from its deadline to its
 * firing, overlapping ones merged), in order: when the runtime ran no timer on time.
 */
function bareStalls(
  timers: readonly number[],
  start: number,
  chunkMs: number,
): [from: number, to: number][] {
  const stalls: [number, number][] = [];
  for (const [k, firedAt] of timers.entries()) {
    const due = start + k * chunkMs;
    if (!(firedAt > due)) continue;
    const previous = stalls.at(-1);
    if (previous !== undefined && due <= previous[1]) previous[1] = Math.max(previous[1], firedAt);
    else stalls.push([due, firedAt]);
  }
  return stalls;
}

/** How much of `from`..`to` the stalls cover. */
function coveredMs(stalls: readonly [number, number][], from: number, to: number): number {
  let covered = 0;
  for (const [stallFrom, stallTo] of stalls) {
    covered += Math.max(0, Math.min(to, stallTo) - Math.max(from, stallFrom));
  }
  return covered;
}

/** The p-th percentile (0..100) of `values`, nearest rank. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The figures of a timeline's lateness, one value per chunk or timer. */
function figures(late: readonly number[]): Lateness {
  return {
    count: late.length,
    p50: percentile(late, 50),
    p95: percentile(late, 95),
    p99: percentile(late, 99),
    max: Math.max(...late),
    earliest: Math.min(...late),
  };
}

/**
 * Where the transport's schedule began, as the sends tell it: `sends[0]`, unless the median of
 * what each send says (chunk i leaves `max(0, i·chunk − lead)` after the start) is earlier. The
 * first chunk may leave a millisecond or two after the transport read the clock it paces from (a
 * loaded machine: workerd's clock moves between tasks), and judged from it every chunk after
 * would read that much early. The median, not the earliest: one chunk that bursts ahead is to be
 * seen early, not taken for the start.
 */
function scheduleStart(sends: readonly number[], chunkMs: number, leadMs: number): number {
  const said = sends.map((at, i) => at - Math.max(0, i * chunkMs - leadMs)).sort((a, b) => a - b);
  const median = said[Math.floor(said.length / 2)]!;
  return Math.min(sends[0]!, median);
}
