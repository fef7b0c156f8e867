/**
 * Pairs the page's `/view?session=ID` event stream with the parrot session that page opened.
 *
 * @module
 */

import { type Clock, type ClockTimer, systemClock } from "@x/ws-transport";
import type { SessionView, ViewSink } from "./session_view.ts";
import { positiveMs } from "./_positive_ms.ts";

/** Options for {@linkcode ViewHub}. */
export interface ViewHubOptions {
  /**
   * How long a viewer waits for its session, or a session for its viewer, before giving up: a
   * positive, finite number of ms (anything else is a `RangeError`).
   *
   * @default {10000}
   */
  waitMs?: number;
  /**
   * The time source for that wait.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * How many messages may wait unread in one viewer's stream (a page that stopped reading);
   * past it, new ones are dropped (and the view counts them: `dropped`), all but the last: the
   * session's "ended", which says how many, or "expired". A whole number, 0 or more (anything else
   * is a `RangeError`); with 0 only a page waiting to read gets a message (and the last).
   *
   * @default {2000}
   */
  maxUnreadMessages?: number;
}

/** One session id: its viewer, its session, and the wait for the other. */
interface Pairing {
  viewer: ViewSink | undefined;
  view: SessionView | undefined;
  expiry: ClockTimer;
}

/** A session id the page makes up: letters, digits and dashes (a UUID fits). */
export const SESSION_ID = /^[A-Za-z0-9-]{8,64}$/;

const encoder = new TextEncoder();

/**
 * Pairs viewers with sessions by the id the page chose: the page opens `/view?session=ID`
 * ({@linkcode open}), then the line with the same id (`/wideband?session=ID`, or the phone line's
 * Twilio `start` with `customParameters.session`), whose handler calls {@linkcode join}. Either
 * may come first; the other is awaited for `waitMs`, after which a lone viewer gets an
 * "expired" message and its stream closes, and a lone session runs unwatched. One viewer per
 * session. The stream is server-sent events: one `data:` line of JSON per message.
 *
 * @example A viewer and its session
 * ```ts
 * import { ViewHub } from "./view_hub.ts";
 * import assert from "node:assert/strict";
 *
 * const hub = new ViewHub({ waitMs: 1 });
 * const response = hub.open("0123456789");
 * assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
 * const text = await response.text(); // no session came: expired after 1 ms
 * assert.match(text, /"type":"expired"/);
 * ```
 */
export class ViewHub {
  readonly #pairings = new Map<string, Pairing>();
  readonly #waitMs: number;
  readonly #clock: Clock;
  readonly #maxUnread: number;

  /** Makes an empty hub. */
  constructor(options: ViewHubOptions = {}) {
    // No wait would expire every page's view, which opens before its line; every wait is bounded.
    this.#waitMs = positiveMs("waitMs", options.waitMs ?? 10000);
    this.#clock = options.clock ?? systemClock;
    const maxUnread = options.maxUnreadMessages ?? 2000;
    // A negative bound is no count of messages; NaN or Infinity would let a page that stopped
    // reading grow the server's memory without end.
    if (!(Number.isInteger(maxUnread) && maxUnread >= 0)) {
      throw new RangeError(`maxUnreadMessages must be a whole number, 0 or more, got ${maxUnread}`);
    }
    this.#maxUnread = maxUnread;
  }

  /** Session ids waiting for their other half, or watched now. */
  get size(): number {
    return this.#pairings.size;
  }

  /**
   * The event stream for session `id` (a 200 `text/event-stream` response), or a 409 when the
   * session already has a viewer. `id` must match {@linkcode SESSION_ID} (the caller checks).
   */
  open(id: string): Response {
    const pairing = this.#pairing(id);
    if (pairing.viewer !== undefined) {
      return new Response(`session ${id} is already watched\n`, { status: 409 });
    }
    let closed = false;
    /** A read waits (the stream pulled): the next message goes straight to the page, unqueued. */
    let reading = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    // A comment first: the page's EventSource opens on it, before any message.
    const opening = encoder.encode(`: the server's view of session ${id}\n\n`);
    const sink: ViewSink = {
      send: (message, last) => {
        // A page that stopped reading does not grow the server's memory without end; the last
        // message ("ended", with the count of those dropped) goes past the bound: one more at most.
        // The stream's queue counts its messages, not the opening comment (see its strategy).
        const unread = -controller.desiredSize!;
        if (closed || (!last && !reading && unread >= this.#maxUnread)) return false;
        reading = false;
        controller.enqueue(encoder.encode(`data: ${message}\n\n`));
        return true;
      },
      close: () => {
        if (closed) return;
        closed = true;
        controller.close();
        this.#forget(id, pairing);
      },
    };
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        c.enqueue(opening);
      },
      // Called (a high-water mark of 0) only while a read waits with nothing queued for it.
      pull: () => {
        reading = true;
      },
      cancel: () => {
        // The page went away (closed its EventSource, or the tab): the session runs unwatched.
        closed = true;
        pairing.view?.detach();
        this.#forget(id, pairing);
      },
    }, { highWaterMark: 0, size: (chunk) => (chunk === opening ? 0 : 1) });
    pairing.viewer = sink;
    this.#pair(pairing, () => {
      sink.send(JSON.stringify({ type: "expired", t: 0 }), true);
      sink.close();
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }

  /**
   * Session `id` started: its view goes to the viewer that waits for it (or comes within
   * `waitMs`). A second session with the same id runs unwatched.
   */
  join(id: string, view: SessionView): void {
    const pairing = this.#pairing(id);
    if (pairing.view !== undefined) return;
    pairing.view = view;
    this.#pair(pairing, () => this.#forget(id, pairing));
  }

  #pairing(id: string): Pairing {
    let pairing = this.#pairings.get(id);
    if (pairing === undefined) {
      pairing = { viewer: undefined, view: undefined, expiry: this.#clock.timer(() => {}) };
      this.#pairings.set(id, pairing);
    }
    return pairing;
  }

  /** Attaches the pair when both halves are here; else waits `waitMs` and then `giveUp`. */
  #pair(pairing: Pairing, giveUp: () => void): void {
    pairing.expiry.cancel();
    if (pairing.viewer !== undefined && pairing.view !== undefined) {
      pairing.view.attach(pairing.viewer);
      return;
    }
    pairing.expiry = this.#clock.timer(giveUp);
    pairing.expiry.arm(this.#waitMs);
  }

  #forget(id: string, pairing: Pairing): void {
    pairing.expiry.cancel();
    if (this.#pairings.get(id) === pairing) this.#pairings.delete(id);
  }
}
