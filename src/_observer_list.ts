/**
 * A session's observers, shared by the transport and its inbound and outbound paths.
 *
 * @module
 */

import type { AudioFrame } from "./frames.ts";
import { TransportError } from "./errors.ts";
import type {
  InboundPacketInfo,
  InterruptionInfo,
  OutboundAudioInfo,
  OutboundDroppedInfo,
  PlayoutHoldInfo,
  PlayoutLagInfo,
  PlayoutMoveInfo,
  SessionObserver,
} from "./session_observer.ts";
import type { TransportClosed } from "./events.ts";
import { thrownText } from "./_thrown_text.ts";

/** The events an observer is told of after it was added. */
type Told =
  | "inboundAudio"
  | "inboundPacket"
  | "outboundDropped"
  | "outboundAudio"
  | "playoutLag"
  | "playoutMoved"
  | "playoutHeld"
  | "interrupted"
  | "closed";

/**
 * The observers of one session, and the telling of them. `list` is replaced, never changed in
 * place, on every add and remove: an observer that stops observing while it is being told of
 * something (metrics that detach when told the session closed) leaves the loop telling the others
 * intact, where a splice would make it skip the next one.
 *
 * An observer is application code called on the transport's own path (a socket's message
 * listener, the pump): one that throws ends its session as a `receive()` handler that throws does
 * (a fatal "application" error, close code 1011), reported once, and the others are still told.
 * Left to itself, the exception would escape a socket listener and end the process.
 */
export class ObserverList {
  /** The observers now, in the order they were added; read it afresh for each event. */
  list: readonly SessionObserver[] = [];
  readonly #onError: (error: TransportError) => void;
  #failed = false;
  /**
   * The observers told the end already: one given again after it (or twice after it) is told it
   * once, as one given twice is told each event once. Held weakly: the list lets them go. Made
   * when the first is told: a session that had no observer holds none.
   */
  #toldClosed: WeakSet<SessionObserver> | undefined;
  /**
   * The far end's hold of its playout under way (see {@linkcode playoutHeld}), as it was told
   * when it began; undefined while it plays. Kept whether or not anyone observes (told every
   * hold, a command sent: nothing per chunk), so that an observer added during it hears of it.
   */
  #hold: PlayoutHoldInfo | undefined;

  /** `onError`: where an observer's exception is reported (the transport's error path). */
  constructor(onError: (error: TransportError) => void) {
    this.#onError = onError;
  }

  /**
   * Adds `observer`; returns a function that removes it. An observer added already is not added
   * again (told each event once, as a recorder must record it once); either function removes it.
   * One added while the far end holds its playout is told of that hold at once, as it began
   * (`playoutHeld`, `held: true`, its `at` and `position`): a recorder added then would otherwise
   * write out as played the audio the hold keeps back, and metrics count its silence an underrun.
   */
  add(observer: SessionObserver): () => void {
    if (!this.list.includes(observer)) {
      this.list = [...this.list, observer];
      if (this.#hold !== undefined) this.#tell([observer], "playoutHeld", { ...this.#hold });
    }
    return () => {
      const index = this.list.indexOf(observer);
      if (index >= 0) this.list = [...this.list.slice(0, index), ...this.list.slice(index + 1)];
    };
  }

  /** See {@linkcode SessionObserver.inboundAudio}. */
  inboundAudio(frame: AudioFrame, receivedAt: number): void {
    this.#tell(this.list, "inboundAudio", frame, receivedAt);
  }

  /** See {@linkcode SessionObserver.inboundPacket}; `packet` is the serializer's, reused. */
  inboundPacket(packet: Readonly<InboundPacketInfo>): void {
    this.#tell(this.list, "inboundPacket", packet);
  }

  /** See {@linkcode SessionObserver.outboundDropped}. */
  outboundDropped(info: OutboundDroppedInfo): void {
    this.#tell(this.list, "outboundDropped", info);
  }

  /** See {@linkcode SessionObserver.outboundAudio}. */
  outboundAudio(chunk: AudioFrame, info: OutboundAudioInfo): void {
    this.#tell(this.list, "outboundAudio", chunk, info);
  }

  /** See {@linkcode SessionObserver.playoutLag}. */
  playoutLag(info: PlayoutLagInfo): void {
    this.#tell(this.list, "playoutLag", info);
  }

  /** See {@linkcode SessionObserver.playoutMoved}. */
  playoutMoved(info: PlayoutMoveInfo): void {
    this.#tell(this.list, "playoutMoved", info);
  }

  /** See {@linkcode SessionObserver.playoutHeld}. */
  playoutHeld(info: PlayoutHoldInfo): void {
    this.#hold = info.held ? { ...info } : undefined;
    if (this.list.length > 0) this.#tell(this.list, "playoutHeld", info);
  }

  /** See {@linkcode SessionObserver.interrupted}. */
  interrupted(info: InterruptionInfo): void {
    this.#tell(this.list, "interrupted", info);
  }

  /**
   * See {@linkcode SessionObserver.closed}; `list`: the observers to tell (one added late). The
   * session's own are let go as they are told: a transport kept once its session is over (to read
   * its `stats`) holds none of them, nor what they hold.
   */
  closed(closed: TransportClosed, list?: readonly SessionObserver[]): void {
    if (list === undefined) {
      list = this.list;
      this.list = [];
      this.#hold = undefined; // the session is over: no observer is added to it
    }
    if (list.length === 0) return;
    const toldClosed = this.#toldClosed ??= new WeakSet();
    list = list.filter((observer) => !toldClosed.has(observer));
    for (const observer of list) toldClosed.add(observer);
    this.#tell(list, "closed", closed);
  }

  /** Calls `method` of each observer in `list` that has it; one that throws does not stop it. */
  #tell(list: readonly SessionObserver[], method: Told, a: unknown, b?: unknown): void {
    for (const observer of list) {
      const told = observer[method] as ((a: unknown, b: unknown) => void) | undefined;
      if (told === undefined) continue;
      try {
        told.call(observer, a, b);
      } catch (cause) {
        this.#threw(cause);
      }
    }
  }

  #threw(cause: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    const message = `a session observer threw: ${thrownText(cause)}`;
    this.#onError(
      new TransportError("application", message, { cause, closeCode: 1011, fatal: true }),
    );
  }
}
