/**
 * An Asterisk WebSocket channel (chan_websocket) that honours the bot's `PAUSE_MEDIA`, and logs
 * what the caller heard at each 20 ms timer tick: the truth a session's metrics are checked
 * against. Built from docs.asterisk.org, Configuration → Channel Drivers → WebSocket:
 *
 * - "Media Transfer": the bot's media is cut into `optimal_frame_size` frames and queued; one
 *   frame plays per `ptime` (chan_websocket.c `webchan_read` / `dequeue_frame`, a 20 ms timer).
 * - "Commands": `PAUSE_MEDIA` "The channel driver will then start playing silence to the caller
 *   but keep the data you've already sent in the queue"; `CONTINUE_MEDIA` plays the queue on;
 *   `MARK_MEDIA [id]` is answered by `MEDIA_MARK_PROCESSED [id]` and `STOP_MEDIA_BUFFERING [id]`
 *   by `MEDIA_BUFFERING_COMPLETED [id]` once the audio before them has gone (queued behind it);
 *   `FLUSH_MEDIA` empties the queue. While paused, `dequeue_frame` returns at once: nothing
 *   plays and no answer is sent.
 * - "Control Commands and Events" (JSON form, `f(json)`): `{"command": …, "correlation_id": …}`
 *   in, `{"event": …, "channel_id": …, "correlation_id": …}` out.
 *
 * @module
 */
import type { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { mediaStart } from "../serializers/fixtures/asterisk_channel_playout.ts";

/** slin16, 20 ms: 640 bytes a frame. */
export const FRAME_BYTES = 640;

/** What the caller heard at one timer tick. */
export interface Tick {
  /** The tick's clock time: its 20 ms play from then. */
  at: number;
  /** A frame of the bot's played (its first byte), the bot's pause held the queue, or none came. */
  heard: { voice: number } | "paused" | "dry";
}

/** Runs the channel on `pair.client`; returns its log of ticks, filled as the call goes. */
export function pausingAsterisk(clock: FakeClock, pair: MemorySocketPair): Tick[] {
  type Item = { voice: number } | { answer: string };
  let queue: Item[] = [];
  let paused = false;
  const ticks: Tick[] = [];
  const answer = (event: string, id: unknown) =>
    JSON.stringify({ event, channel_id: "1.1", correlation_id: id ?? "" });
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data !== "string") {
      const bytes = new Uint8Array(data as ArrayBuffer);
      for (let at = 0; bytes.length - at >= FRAME_BYTES; at += FRAME_BYTES) {
        queue.push({ voice: bytes[at]! });
      }
      return;
    }
    const { command, correlation_id: id } = JSON.parse(data);
    if (command === "MARK_MEDIA") queue.push({ answer: answer("MEDIA_MARK_PROCESSED", id) });
    else if (command === "STOP_MEDIA_BUFFERING") {
      queue.push({ answer: answer("MEDIA_BUFFERING_COMPLETED", id) });
    } else if (command === "FLUSH_MEDIA") queue = [];
    else if (command === "PAUSE_MEDIA") paused = true;
    else if (command === "CONTINUE_MEDIA") paused = false;
  });
  const tick = () => {
    if (pair.client.readyState !== 1) return;
    if (paused) ticks.push({ at: clock.now(), heard: "paused" });
    else {
      let item = queue.shift();
      while (item !== undefined && "answer" in item) {
        pair.client.send(item.answer);
        item = queue.shift();
      }
      ticks.push({ at: clock.now(), heard: item === undefined ? "dry" : { voice: item.voice } });
    }
    void clock.sleep(20).then(tick);
  };
  void clock.sleep(0).then(() => {
    pair.client.send(mediaStart({ json: true, format: "slin16", frameBytes: FRAME_BYTES }));
    tick();
  });
  return ticks;
}

/**
 * The underruns the caller heard in a reply whose frames carry `voice`: each run of ticks with
 * nothing to play ("dry", not a pause the bot asked for) between its first and last frame played,
 * and their total length.
 */
export function heardUnderruns(ticks: readonly Tick[], voice: number) {
  const plays = (t: Tick) => typeof t.heard === "object" && t.heard.voice === voice;
  const first = ticks.findIndex(plays);
  const last = ticks.findLastIndex(plays);
  let count = 0;
  let totalMs = 0;
  for (let i = first + 1; i < last; i++) {
    if (ticks[i]!.heard !== "dry") continue;
    if (ticks[i - 1]!.heard !== "dry") count++;
    totalMs += 20;
  }
  return { count, totalMs, firstAt: ticks[first]?.at, lastAt: ticks[last]?.at };
}
