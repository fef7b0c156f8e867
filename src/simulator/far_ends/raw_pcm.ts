/**
 * The plainest client: binary WebSocket messages are PCM16 little-endian mono audio at an agreed
 * rate both ways, text messages are JSON, as a browser page streaming its microphone sends them
 * (the protocol of this package's demo page). There is no opening message and no DTMF. The one
 * text message it acts on is the demo's clear, `{"type":"clear"}` (what its `/wideband` line
 * sends on an interruption, `examples/demo/wideband_serializer.ts`): it empties the buffer at
 * once, as the page's player does, and at what the page takes for one (`wideband_line.js`: any
 * JSON object whose `type` is `"clear"`, however spaced, whatever else it holds). Any other text
 * is only noted; a bot without that message stops audio by not sending it.
 *
 * @module
 */

import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { littleEndianBytes, samplesFromLittleEndian } from "./_json_events.ts";

/** A raw-PCM client's side of the socket. */
export class RawPcmFarEnd implements FarEnd {
  readonly protocol = "raw";
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  #context!: FarEndContext;

  constructor(options: FarEndOptions) {
    const rate = options.sampleRate ?? 16000;
    if (!Number.isInteger(rate) || rate <= 0) {
      throw new RangeError(`sampleRate must be a positive integer, got ${rate}`);
    }
    this.playbackRate = rate;
    this.caller = { sampleRate: rate, frameMs: 20 };
  }

  open(context: FarEndContext): void {
    this.#context = context;
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#context.send(littleEndianBytes(samples));
  }

  sendDtmf(): boolean {
    return false;
  }

  hangUp(): Promise<void> {
    return Promise.resolve();
  }

  receive(data: string | Uint8Array): void {
    if (typeof data === "string") {
      return isClear(data) ? this.#context.clear() : this.#context.note("raw text message");
    }
    if (data.length % 2 !== 0) {
      this.#context.violation(
        "raw.odd-length",
        `a ${data.length}-byte audio message is not whole PCM16 samples`,
      );
    }
    this.#context.play(samplesFromLittleEndian(data));
  }
}

/** Whether the page's line clears at `text`: `JSON.parse(text)?.type === "clear"`, as it reads it. */
function isClear(text: string): boolean {
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type === "clear";
  } catch {
    return false; // the page notes text that is not JSON
  }
}
