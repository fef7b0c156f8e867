/**
 * The command line's progress line: how the run is going, written every `intervalMs` while its
 * calls run. Each update reads every live call's figures at that moment (`ReadProgress`), so the
 * line is as current as the call: it printed a snapshot each call pushed once a second, and said
 * "heard 0.0 s" (now "bot audio played") while the bot's first answer had been playing for most
 * of one. The clock is injected (tests drive it with a `FakeClock`, as they drive the calls).
 *
 * @module
 */

import type { Clock, ClockTimer } from "../clock.ts";
import { counted } from "./_counted.ts";
import type { ReadProgress } from "./_simulate_call.ts";
import type { CallProgress } from "./simulate_call.ts";

/** Options for {@linkcode ProgressLine}. */
export interface ProgressLineOptions {
  clock: Clock;
  /** How many calls the run makes. */
  calls: number;
  /** How often the line is written, in ms of `clock`. */
  intervalMs: number;
  /**
   * Writes one update of the line. One that throws (stderr a pipe whose reader is gone, a full
   * disk, a terminal that went away) stops the line: see {@linkcode ProgressLine.lost}.
   */
  write: (line: string) => void;
}

/** The line, written every `intervalMs` from its construction until {@linkcode stop}. */
export class ProgressLine {
  readonly #clock: Clock;
  readonly #calls: number;
  readonly #write: (line: string) => void;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  /** Each started call's reader, by its index. */
  readonly #live = new Map<number, ReadProgress>();
  /** Each ended call's last figures, by its index: its violations still count. */
  readonly #ended = new Map<number, CallProgress | undefined>();
  readonly #timer: ClockTimer;
  #lost: unknown = undefined;

  constructor(options: ProgressLineOptions) {
    this.#clock = options.clock;
    this.#calls = options.calls;
    this.#write = options.write;
    this.#intervalMs = options.intervalMs;
    this.#startedAt = this.#clock.now();
    this.#timer = this.#clock.timer(() => {
      try {
        this.#write(this.line());
      } catch (error) {
        // The line is a courtesy beside the run: where it cannot be written it is not written
        // again, and the calls go on to their report and exit status. Thrown from the timer, it
        // ended the run as an uncaught error, exit 1 (a call failed, CI read) and no report:
        // `simulate … 2>&1 | head -1` once the head had its line.
        this.#lost = error;
        return;
      }
      this.#timer.arm(this.#intervalMs);
    });
    this.#timer.arm(this.#intervalMs);
  }

  /** Call `index` (from 0) has started: the line reads its figures with `read` from now on. */
  watch(index: number, read: ReadProgress): void {
    this.#live.set(index, read);
  }

  /**
   * Call `index` has ended: its last figures are kept (its violations still count), but it is no
   * longer live, nor is its bot speaking (a call that ended mid-answer was counted as speaking
   * for the rest of the run).
   */
  ended(index: number): void {
    this.#ended.set(index, this.#live.get(index)?.());
    this.#live.delete(index);
  }

  /** Why the line stopped before {@linkcode stop}: what its `write` threw; `undefined` if none. */
  get lost(): unknown {
    return this.#lost;
  }

  /** Stops writing the line. */
  stop(): void {
    this.#timer.cancel();
  }

  /** The line as it reads now. */
  line(): string {
    const elapsed = ((this.#clock.now() - this.#startedAt) / 1000).toFixed(1);
    if (this.#calls === 1) {
      const p = this.#live.get(0)?.() ?? this.#ended.get(0);
      if (!p) return `${elapsed} s · connecting…`;
      // Audio, not speech: the caller's silences (and what it sends after its audio ends) and the
      // bot's count as much as their words. Labelled "said" and "heard", the figures claimed
      // speech, and "said 12.0 s" stood beside "1 utterance" of 0.4 s. Named as the report names
      // them (`bot audio … played`); the speech is the utterances' count and "bot speaking".
      return `${elapsed} s · caller audio sent ${(p.callerAudioMs / 1000).toFixed(1)} s · ` +
        `bot audio played ${(p.heardMs / 1000).toFixed(1)} s · ${
          counted(p.utterances, "utterance")
        } · bot ${p.botSpeaking ? "speaking" : "quiet"} · ${counted(p.marksAcked, "mark")} · ${
          counted(p.violations, "violation")
        }`;
    }
    const live = [...this.#live.values()].map((read) => read());
    const all = [...live, ...this.#ended.values()];
    const violations = all.reduce((n, p) => n + (p?.violations ?? 0), 0);
    const speaking = live.filter((p) => p?.botSpeaking).length;
    const done = this.#ended.size;
    // A call not started yet (`--ramp` spreads the starts) is not live: it was counted so, "10
    // live" while one call ran and nine waited their turn.
    const waiting = this.#calls - live.length - done;
    return `${elapsed} s · ${counted(this.#calls, "call")}: ${
      waiting > 0 ? `${waiting} waiting, ` : ""
    }${live.length} live, ${done} ended · bot speaking in ${speaking} · ${
      counted(violations, "violation")
    }`;
  }
}
