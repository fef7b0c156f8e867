/**
 * Whether Asterisk's queue is paused by the bot's `PAUSE_MEDIA`, as the pause commands sent and
 * their refusals tell it: {@linkcode AsteriskMediaPause}.
 *
 * @module
 */

/**
 * The channel's media direction as the commands sent tell it (see `AsteriskSerializer`):
 * `"dialled"` until a `SET_MEDIA_DIRECTION` or the channel's answers show it.
 */
export type AsteriskMediaDirection = "dialled" | "in" | "not-in";

/** A pause command whose refusal may come: the direction it met, and which it was. */
interface Refusable {
  direction: "dialled" | "in";
  pause: boolean;
}

/**
 * Pause commands kept waiting for the refusal they may draw: a bot sends a few a reply, and an
 * answer comes at once (chan_websocket.c writes its ERROR as it reads the command).
 */
const MAX_REFUSABLE_PAUSES = 16;

/**
 * Asterisk's `queue_paused` (chan_websocket.c): set by `PAUSE_MEDIA`, cleared by
 * `CONTINUE_MEDIA`, and left as it was by a command it refuses. `handle_command` refuses both in
 * passthrough mode and while the media direction is "in" (`ERROR_ON_INVALID_MEDIA_DIRECTION_RTN`
 * returns before the flag is touched): a `CONTINUE_MEDIA` sent then leaves the queue paused, and
 * the pause outlives the direction's change back to "both" (its next reply waited in silence, our
 * interruption sending no `CONTINUE_MEDIA` after its flush); a `PAUSE_MEDIA` sent then leaves a
 * pause before it in place. Asterisk reads commands in order, so a command sent while the
 * direction is known to be "in" changes nothing here; one sent before the direction is known (the
 * `d()` dial option cannot be seen) is taken as done until a refusal shows the channel was dialled
 * `d(in)`.
 */
export class AsteriskMediaPause {
  #paused = false;
  /** What `#paused` is if the commands sent while the direction was "dialled" were refused. */
  #pausedIfDialledIn = false;
  /** Pause commands sent while the direction was "dialled" or "in", oldest first. */
  #refusable: Refusable[] = [];

  /** Whether the bot's `PAUSE_MEDIA` holds Asterisk's queue. */
  get paused(): boolean {
    return this.#paused;
  }

  /** A `PAUSE_MEDIA` (`pause`) or `CONTINUE_MEDIA` leaves, meeting `direction` at Asterisk. */
  sent(pause: boolean, direction: AsteriskMediaDirection): void {
    if (direction === "not-in") {
      this.#paused = this.#pausedIfDialledIn = pause;
      return;
    }
    if (this.#refusable.length === MAX_REFUSABLE_PAUSES) this.#refusable.shift();
    this.#refusable.push({ direction, pause });
    // Refused for sure while "in"; taken as done while "dialled" (most channels are "both").
    if (direction === "dialled") this.#paused = pause;
  }

  /**
   * Asterisk refused a pause command (`pause`: `PAUSE_MEDIA`) for the media direction "in".
   * Returns whether that shows the channel was dialled `d(in)`. The ERROR names no correlation id,
   * but it is the oldest refusable command's that has drawn none: one sent while the direction was
   * "dialled" when the channel was dialled `d(in)`, else one sent while it was "in". Where both
   * wait, the refused command's name tells which, unless they are the same command: then the
   * dialled direction is taken as "both", as a `SET_MEDIA_DIRECTION` sent before any refusal
   * takes it for the marks (`AsteriskSerializer`).
   */
  refused(pause: boolean): boolean {
    const dialled = this.#refusable.find((command) => command.direction === "dialled");
    const sentIn = this.#refusable.find((command) => command.direction === "in");
    const dialledIn = dialled !== undefined &&
      (sentIn === undefined || dialled.pause === pause && sentIn.pause !== pause);
    // Either way the commands left waiting are refused ones, oldest first (those sent while
    // "dialled" went before any sent while "in"), and the oldest drew this refusal.
    if (dialledIn) this.dialledIn();
    else this.#settleDialled();
    this.#refusable.shift();
    return dialledIn;
  }

  /**
   * The channel was dialled `d(in)` (a refusal showed it): every command sent while the direction
   * was "dialled" was refused, and the queue is as the commands since left it.
   */
  dialledIn(): void {
    this.#paused = this.#pausedIfDialledIn;
    for (const command of this.#refusable) command.direction = "in";
  }

  /** The channel was not dialled `d(in)` (a mark was answered): the commands sent then were done. */
  dialledNotIn(): void {
    this.#settleDialled();
  }

  /** A passthrough channel refused a pause command: it refuses every one, so none holds its queue. */
  refusedInPassthrough(): void {
    this.#paused = this.#pausedIfDialledIn = false;
    this.#refusable = [];
  }

  #settleDialled(): void {
    this.#pausedIfDialledIn = this.#paused;
    this.#refusable = this.#refusable.filter((command) => command.direction === "in");
  }
}
