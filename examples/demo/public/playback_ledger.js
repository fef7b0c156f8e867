// What the page's player really played of each response, from the player's own positions, and
// what it played of an interrupted response after the clear that interrupted it — stale audio,
// which must be none. And how long the player stood silent inside a response (underruns): a
// sender's estimate of what was heard assumes continuous playout, so each stall puts the player
// that much behind it.
//
// Positions are samples since the session began, on both sides: the server tells where each
// response sits in its outbound audio ("sent": fromMs–toMs), the player tells which positions it
// played, in which epoch (clears before them). The k-th interruption the server reports is the
// k-th clear the player received (each `interrupt()` sends exactly one clear), so what the player
// played of that response in epoch k or later came after its clear.

export class PlaybackLedger {
  /** @param {number} rate the line's sample rate */
  constructor(rate) {
    this.rate = rate;
    /** @type {Map<string, { responseId: string | null, from: number, to: number }>} */
    this.ranges = new Map();
    /** @type {Map<string, [number, number, number]>} played runs by epoch and start */
    this.runs = new Map();
    /** @type {any[]} the server's "interrupted" messages, each with its clear's epoch */
    this.interruptions = [];
    /** @type {[number, number, number][]} the player's stalls: [position, ms, epoch] */
    this.stalls = [];
  }

  samples(ms) {
    return Math.round((ms * this.rate) / 1000);
  }

  ms(samples) {
    return (samples * 1000) / this.rate;
  }

  /** A "sent" message: response `responseId` sits at `fromMs`–`toMs` of the outbound audio. */
  addSent({ responseId, fromMs, toMs }) {
    this.ranges.set(`${responseId}|${fromMs}`, {
      responseId,
      from: this.samples(fromMs),
      to: this.samples(toMs),
    });
  }

  /** Runs from a player report: `[from, to, epoch]`, a run growing as it plays. */
  addRuns(runs) {
    for (const [from, to, epoch] of runs) {
      const key = `${epoch}|${from}`;
      const known = this.runs.get(key);
      if (!known || known[1] < to) this.runs.set(key, [from, to, epoch]);
    }
  }

  /** Stalls from a player report: `[position, ms, epoch]`, each reported once. */
  addStalls(stalls) {
    for (const stall of stalls) this.stalls.push(stall);
  }

  /**
   * Milliseconds the player stood silent inside `responseId` (after its first sample, before its
   * last) in an epoch before `beforeEpoch`.
   */
  stalledMs(responseId, beforeEpoch = Infinity) {
    let total = 0;
    for (const range of this.ranges.values()) {
      if (range.responseId !== responseId) continue;
      for (const [position, ms, epoch] of this.stalls) {
        if (epoch < beforeEpoch && position > range.from && position < range.to) total += ms;
      }
    }
    return total;
  }

  /** An "interrupted" message; its clear is the one with the same ordinal. */
  addInterruption(event) {
    this.interruptions.push({ ...event, epoch: this.interruptions.length + 1 });
  }

  /** The response at position `position`, if the server has said. */
  responseAt(position) {
    for (const range of this.ranges.values()) {
      if (position >= range.from && position < range.to) return range.responseId;
    }
    return undefined;
  }

  /** Samples of `responseId` the player played, in epoch `minEpoch` or later. */
  playedSamples(responseId, minEpoch = 0) {
    let total = 0;
    for (const range of this.ranges.values()) {
      if (range.responseId !== responseId) continue;
      for (const [from, to, epoch] of this.runs.values()) {
        if (epoch < minEpoch) continue;
        total += Math.max(0, Math.min(to, range.to) - Math.max(from, range.from));
      }
    }
    return total;
  }

  /** Each interruption: what the server said the caller heard, and what the player played. */
  bargeIns() {
    return this.interruptions.map((event) => {
      const stale = this.playedSamples(event.responseId, event.epoch);
      return {
        responseId: event.responseId,
        heardMs: event.heardMs,
        responseMs: event.responseMs,
        droppedMs: event.droppedMs,
        acknowledged: event.acknowledged,
        playedMs: this.ms(this.playedSamples(event.responseId)),
        stalledMs: this.stalledMs(event.responseId, event.epoch),
        stalePlayedSamples: stale,
        stalePlayedMs: this.ms(stale),
      };
    });
  }
}
