/**
 * Whether Genesys's Audio Connector is still playing the bot's audio, from what it says about it,
 * and the goodbye's wait for it to finish.
 *
 * @module
 */

import type { Clock, ClockTimer } from "../clock.ts";

/**
 * How long audio may take to reach Genesys and its `playback_completed` to come back: audio sent
 * within this before a `playback_completed` arrives may have crossed it (Genesys ran dry before
 * it came) and is not taken as played. Audio the report does cover left at least Genesys's whole
 * delay before it arrives (the round trip, its jitter buffer, "a few hundred milliseconds", and
 * the audio's own length), so a bound between the two tells them apart: 100 ms is a round trip
 * to a server in Genesys's region with room to spare. Audio sent further away that crosses a
 * report is taken as played, up to the round trip less this.
 */
const CROSSING_MS = 100;

/** The goodbye's `disconnect`, waiting for the client to have played the bot's audio. */
export interface Goodbye {
  /** Sends it: the client said it has played all, or the wait is up. */
  go(): void;
  /** The wait is up, nothing said: called before `go`. */
  expired(): void;
  /** Its message, made without being sent or numbered: the session ended under the wait. */
  unsent(): string;
}

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
 * reply has played would hold `heardMs` back through the reply). What it does say, the end of a
 * stretch, the serializer hands on to the playback tracker as a report (`_playback_reports.ts`):
 * where the last reply really ended, and so how far behind the estimate Genesys plays. And whether
 * the goodbye has played, which is all the `disconnect` needs to wait for.
 */
export class GenesysPlayback {
  /**
   * Whether the client has said either message in this session. One that never does (an older
   * or third-party AudioHook client) would keep every goodbye waiting the whole bound: until it
   * has spoken, its silence tells nothing, and nothing waits for it.
   */
  #reports = false;
  /**
   * Milliseconds of audio that went out since the client last said `playback_completed` (or a
   * barge-in), or so shortly before it that the word may not cover it (see `CROSSING_MS`): what
   * it may not have played yet. A count, not a flag, so that audio the transport dropped before it
   * left (`dropped`) is taken back out of it: a reply dropped whole leaves nothing to wait for.
   */
  #unplayedMs = 0;
  /**
   * Whether the client's last word was `playback_started`. Apart from `#unplayedMs`: a client that
   * runs dry between two packets (audio paced in real time, with no buffer to spare) says
   * `playback_completed` for the one while the next is on its way, which that word does not
   * cover; the next one's `playback_started` says it is playing again.
   */
  #started = false;
  /** The goodbye waiting for `playback_completed`, while it does. */
  #waiting:
    | { timer: ClockTimer; goodbye: Goodbye; settle: (answer: string | null) => void }
    | undefined;
  /**
   * The audio sent within the last `CROSSING_MS` (when, and how many milliseconds), oldest first:
   * what a `playback_completed` arriving now may not cover. A few entries: a reply leaves in 20 ms
   * chunks or 200 ms packets. `dropped`: sent before a barge-in, so never to play.
   */
  #recent: { at: number; ms: number; dropped: boolean }[] = [];
  /**
   * The transport's packets, in milliseconds of audio (`fixedAudioPacketSize`; undefined: none).
   * Audio a packet not yet whole holds leaves with the chunk that completes it, or at the end of
   * its stretch, not when it was encoded: it is stamped then (see {@linkcode sent}).
   */
  #packetMs: number | undefined;
  /** Milliseconds told {@linkcode sent} that wait in the transport's packet not yet whole. */
  #heldMs = 0;

  /** Whether a goodbye is waiting. */
  get waiting(): boolean {
    return this.#waiting !== undefined;
  }

  /**
   * Whether the client, which reports its playback, may not have played all it was sent: it said
   * it started and not yet that it completed, or audio went out since it last completed.
   */
  get playing(): boolean {
    return this.#reports && (this.#started || this.#unplayedMs > 0);
  }

  /**
   * The transport cuts the audio into packets of `ms` milliseconds (`fixedAudioPacketSize`), or
   * sends each message as it is (undefined).
   */
  packets(ms: number | undefined): void {
    this.#packetMs = ms !== undefined && ms > 0 ? ms : undefined;
    this.#heldMs = 0;
  }

  /**
   * `ms` of audio went out to the client at `now` (undefined: no clock to say when). With packets,
   * only what completes packets leaves now, with what the last packet held; the rest waits for
   * the next chunk or its packet's leaving ({@linkcode packetLeft}). Stamped at its encoding, a
   * packet's first chunks (160 ms before it left, of Genesys' 200 ms packets) and a reply's end
   * held to the quiet time looked older than `CROSSING_MS` when the packet had only just left:
   * a `playback_completed` that crossed it was taken as covering it, and the goodbye's
   * `disconnect` went while Genesys had yet to play it.
   */
  sent(ms: number, now?: number): void {
    this.#unplayedMs += ms;
    if (now === undefined) return;
    this.#forget(now);
    let leaving = ms;
    const packetMs = this.#packetMs;
    if (packetMs !== undefined) {
      // Whole multiples of 1/8 ms (PCMU bytes): these sums are exact in binary floating point.
      const held = this.#heldMs + ms;
      const remainder = held % packetMs;
      leaving = held - remainder;
      this.#heldMs = remainder;
    }
    if (leaving > 0) this.#recent.push({ at: now, ms: leaving, dropped: false });
  }

  /**
   * The packet not yet whole left at `now`, as the transport says (`partialPacketSent`): at a
   * stretch's end, before an `end`, and mid-stream, padded, where background audio carries the
   * stream on and no stretch ends (dropped instead, it tells {@linkcode dropped}). Missed there,
   * what it held would stay held here: out of step with the transport's packets ever after, and
   * counted as not played at a `playback_completed` once they had all played.
   */
  packetLeft(now?: number): void {
    const held = this.#heldMs;
    this.#heldMs = 0;
    if (!(held > 0) || now === undefined) return;
    this.#forget(now);
    this.#recent.push({ at: now, ms: held, dropped: false });
  }

  /**
   * The last `ms` of the audio told {@linkcode sent} never left after all: the transport dropped
   * the partial packet that held them (`lastPacket: "drop"`). Taken back from what the client may
   * not have played and from what a `playback_completed` may not cover, newest first: the client
   * never gets it, so no word about it will come.
   */
  dropped(ms: number): void {
    this.#unplayedMs = Math.max(0, this.#unplayedMs - ms);
    const recent = this.#recent;
    // What still waits for its packet first: it is the newest.
    const fromHeld = Math.min(this.#heldMs, ms);
    this.#heldMs -= fromHeld;
    let left = ms - fromHeld;
    while (left > 0 && recent.length > 0) {
      const last = recent[recent.length - 1]!;
      const taken = Math.min(last.ms, left);
      last.ms -= taken;
      left -= taken;
      if (last.ms === 0) recent.pop();
    }
  }

  /**
   * How much of the audio that has left a `playback_completed` arriving at `now` may not cover:
   * what left within `CROSSING_MS` (see there). Nothing without a clock. Not what still waits for
   * its packet: the transport counts it as not sent yet.
   */
  uncoveredMs(now?: number): number {
    if (now === undefined) return 0;
    this.#forget(now);
    let ms = 0;
    for (const sent of this.#recent) ms += sent.ms;
    return ms;
  }

  #forget(now: number): void {
    const recent = this.#recent;
    let old = 0;
    while (old < recent.length && recent[old]!.at <= now - CROSSING_MS) old++;
    if (old > 0) recent.splice(0, old);
  }

  /** The client said `playback_started`. */
  started(): void {
    this.#reports = true;
    this.#started = true;
  }

  /**
   * The client said `playback_completed`: a goodbye waiting for it goes, unless `uncoveredMs` of
   * the audio sent may have crossed the word on its way ({@linkcode uncoveredMs}): the client has
   * that still to play, and says so with its next `playback_completed`. Not audio a barge-in
   * dropped: nothing of it plays, and no word about it will come.
   */
  completed(uncoveredMs: number): void {
    this.#reports = true;
    this.#started = false;
    // What the word may not cover, but for audio a barge-in dropped: that never plays. And what
    // waits for its packet: it has not left.
    let unplayedMs = this.#heldMs;
    if (uncoveredMs > 0) {
      for (const sent of this.#recent) if (!sent.dropped) unplayedMs += sent.ms;
    }
    this.#unplayedMs = unplayedMs;
    if (unplayedMs === 0) this.release();
  }

  /** A barge-in: the client drops what it holds and plays nothing more of it. */
  cleared(): void {
    this.#started = false;
    this.#unplayedMs = 0;
    this.#heldMs = 0; // the transport drops its packet not yet whole too
    for (const sent of this.#recent) sent.dropped = true;
    this.release();
  }

  /**
   * Waits for `playback_completed`, at most `timeoutMs` on `clock`, then lets the `goodbye` go.
   * Resolves with `null` once it has gone, or the wait was abandoned (see {@linkcode abandon});
   * with the goodbye's unsent message where the session ended under the wait (see
   * {@linkcode drop}).
   */
  wait(clock: Clock, timeoutMs: number, goodbye: Goodbye): Promise<string | null> {
    return new Promise<string | null>((resolve) => {
      const timer = clock.timer(() => {
        goodbye.expired();
        this.release();
      });
      this.#waiting = { timer, goodbye, settle: resolve };
      timer.arm(timeoutMs);
    });
  }

  /** Ends the wait now: the goodbye goes. */
  release(): void {
    const waiting = this.#end();
    if (waiting === undefined) return;
    waiting.goodbye.go();
    waiting.settle(null);
  }

  /** Ends the wait without the goodbye: the session ended otherwise (it needs none now). */
  abandon(): void {
    this.#end()?.settle(null);
  }

  /**
   * Ends the wait as the session ends under it (the socket closed, or is closing): the goodbye,
   * which is still to say, answers with its message, which no socket takes any more. The
   * transport counts it dropped at the close, as it does a goodbye answered at once; resolving
   * with `null`, as for a goodbye that went, would leave the bot's `end` counted nowhere.
   */
  drop(): void {
    const waiting = this.#end();
    waiting?.settle(waiting.goodbye.unsent());
  }

  #end() {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.timer.cancel();
    return waiting;
  }
}
