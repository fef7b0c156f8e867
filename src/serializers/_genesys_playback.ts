/**
 * Whether Genesys's Audio Connector is still playing the bot's audio, from what it says about it,
 * and the goodbye's wait for it to finish.
 *
 * @module
 */

import type { Clock, ClockTimer } from "../clock.ts";

/**
 * The Audio Connector client says `playback_started` when it begins to play the server's audio
 * and `playback_completed` when what it was sent has played (GenesysCloudBlueprints/
 * audioconnector-server-reference-implementation: src/protocol/voice-bots.ts declares both as
 * client messages with empty parameters, and its handlers,
 * src/websocket/message-handlers/handlers/playback-{started,completed}-message-handler.ts, set
 * the session's "audio playing" on and off).
 *
 * It says so once for a stretch of audio, not per message: no acknowledgement of a point in the
 * audio, so it cannot answer the transport's playout marks (a mark answered only when a whole
 * reply has played would hold `heardMs` back through the reply). What it can say is whether the
 * goodbye has played, which is all the `disconnect` needs to wait for.
 */
export class GenesysPlayback {
  /**
   * Whether the client has said either message in this session. One that never does (an older
   * or third-party AudioHook client) would keep every goodbye waiting the whole bound: until it
   * has spoken, its silence tells nothing, and nothing waits for it.
   */
  #reports = false;
  /** Whether audio went out since the client last said `playback_completed` (or a barge-in). */
  #unplayed = false;
  /**
   * Whether the client's last word was `playback_started`. Apart from `#unplayed`: a client that
   * runs dry between two packets (audio paced in real time, with no buffer to spare) says
   * `playback_completed` for the one while the next is on its way, which that word does not
   * cover; the next one's `playback_started` says it is playing again.
   */
  #started = false;
  /** The goodbye waiting for `playback_completed`, while it does. */
  #waiting: { timer: ClockTimer; go: () => void; settle: () => void } | undefined;

  /** Whether a goodbye is waiting. */
  get waiting(): boolean {
    return this.#waiting !== undefined;
  }

  /**
   * Whether the client, which reports its playback, may not have played all it was sent: it said
   * it started and not yet that it completed, or audio went out since it last completed.
   */
  get playing(): boolean {
    return this.#reports && (this.#started || this.#unplayed);
  }

  /** Audio went out to the client. */
  sent(): void {
    this.#unplayed = true;
  }

  /** The client said `playback_started`. */
  started(): void {
    this.#reports = true;
    this.#started = true;
  }

  /** The client said `playback_completed`: a goodbye waiting for it goes. */
  completed(): void {
    this.#reports = true;
    this.#started = false;
    this.#unplayed = false;
    this.release();
  }

  /** A barge-in: the client drops what it holds and plays nothing more of it. */
  cleared(): void {
    this.#started = false;
    this.#unplayed = false;
    this.release();
  }

  /**
   * Waits for `playback_completed`, at most `timeoutMs` on `clock`, then calls `go` (which sends
   * the `disconnect`); `expired` is called first when the bound was reached. Resolves with `null`
   * once `go` has been called, or the wait was abandoned (see {@linkcode abandon}).
   */
  wait(clock: Clock, timeoutMs: number, go: () => void, expired: () => void): Promise<null> {
    return new Promise<null>((resolve) => {
      const timer = clock.timer(() => {
        expired();
        this.release();
      });
      this.#waiting = { timer, go, settle: () => resolve(null) };
      timer.arm(timeoutMs);
    });
  }

  /** Ends the wait now: the goodbye goes. */
  release(): void {
    const waiting = this.#end();
    if (waiting === undefined) return;
    waiting.go();
    waiting.settle();
  }

  /** Ends the wait without the goodbye: the session ended otherwise. */
  abandon(): void {
    this.#end()?.settle();
  }

  #end() {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.timer.cancel();
    return waiting;
  }
}
