/**
 * A pipecat client: the wire protocol of `@pipecat-ai/client-js` with
 * `@pipecat-ai/websocket-transport` (npm, 1.x), as its published code and pipecat's RTVI docs
 * (docs.pipecat.ai, "RTVI" client-server messages) define it:
 *
 * - Every message is one binary protobuf `pipecat.Frame` (see `_pipecat_protobuf.ts`); text
 *   WebSocket messages are ignored by the client.
 * - On connect the client sends an RTVI `client-ready` message (`{id, label: "rtvi-ai", type:
 *   "client-ready", data: {version: "2.1.0", about}}` in a `MessageFrame`) and streams the
 *   microphone at once, as `AudioRawFrame`s of PCM16 mono 16 kHz; its `connect()` resolves when
 *   the bot answers `bot-ready`.
 * - It plays every `AudioRawFrame` it gets as 24 kHz mono, whatever the frame declares.
 * - DTMF (RTVI 2.1): a `dtmf` message `{buttons: [...]}` (`{button}` per key for 2.0 bots), of
 *   the keys 0-9, `*` and `#` only: the client refuses A-D.
 * - The JS client's schema has no `InterruptionFrame` (websocket-transport 1.7.1): pipecat servers
 *   since 1.3.0 send one on barge-in, and the client logs it as undeserializable and plays on
 *   the audio it was given (nothing in it empties its player, nor does RTVI's
 *   `user-started-speaking`), so this far end only notes it: a bot stops the caller hearing it by
 *   sending no more, as pipecat's own servers do by pacing their audio.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { littleEndianBytes, samplesFromLittleEndian } from "./_json_events.ts";
import { decodeFrame, encodeAudioFrame, encodeMessageFrame } from "./_pipecat_protobuf.ts";
import { isPhoneDigit } from "../../_keypad_digits.ts";

const RTVI_VERSION = "2.1.0";
const PLAYER_RATE = 24000;
const BOT_READY_TIMEOUT_MS = 10_000;

/** A pipecat JS client's side of the socket. */
export class PipecatFarEnd implements FarEnd {
  readonly protocol = "pipecat";
  readonly caller = { sampleRate: 16000, frameMs: 20 } as const;
  readonly playbackRate = PLAYER_RATE;
  #context!: FarEndContext;
  #readyId = "";
  #botVersion: number[] | null = null;
  #warnedFormat = false;

  constructor(_options: FarEndOptions) {}

  open(context: FarEndContext): void {
    this.#context = context;
    this.#readyId = crypto.randomUUID().slice(0, 8);
    this.#rtvi({
      id: this.#readyId,
      label: "rtvi-ai",
      type: "client-ready",
      data: {
        version: RTVI_VERSION,
        about: { library: "@x/ws-transport/simulator", library_version: "0.1.0" },
      },
    });
    context.ready();
    context.sleep(BOT_READY_TIMEOUT_MS).then(() => {
      if (this.#botVersion === null) {
        context.violation(
          "pipecat.no-bot-ready",
          `no bot-ready within ${BOT_READY_TIMEOUT_MS} ms: the client's connect() would not resolve`,
        );
      }
    }, () => {/* the call ended first */});
  }

  sendAudio(samples: Int16Array): void {
    this.#context.send(encodeAudioFrame(littleEndianBytes(samples), this.caller.sampleRate));
  }

  sendDtmf(digit: string): boolean {
    const version = this.#botVersion;
    // client-js's sendDTMF (1.13) throws before a 2.0+ bot-ready and at any key but 0-9, * and #.
    if (version === null || version[0]! < 2 || !isPhoneDigit(digit)) return false;
    const data = version[0] === 2 && version[1]! < 1 ? { button: digit } : { buttons: [digit] };
    this.#rtvi({ id: crypto.randomUUID().slice(0, 8), label: "rtvi-ai", type: "dtmf", data });
    return true;
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // the client just closes the socket
  }

  receive(data: string | Uint8Array): void {
    const context = this.#context;
    if (typeof data === "string") {
      return context.violation(
        "pipecat.text-message",
        `a text message; the client ignores text (${data.slice(0, 40)})`,
      );
    }
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      return context.violation(
        "pipecat.bad-frame",
        `not a pipecat.Frame: ${(error as Error).message}`,
      );
    }
    switch (frame.kind) {
      case "audio":
        if ((frame.sampleRate !== PLAYER_RATE || frame.channels !== 1) && !this.#warnedFormat) {
          this.#warnedFormat = true;
          context.violation(
            "pipecat.audio-format",
            `audio declared ${frame.sampleRate} Hz × ${frame.channels}; the client plays everything as ${PLAYER_RATE} Hz mono`,
          );
        }
        if (frame.audio.length % 2 !== 0) {
          // The web client reads it as an Int16Array, which an odd byte count cannot be.
          context.violation(
            "pipecat.odd-length",
            `an AudioRawFrame of ${counted(frame.audio.length, "byte")} is not whole PCM16 samples`,
          );
        }
        return context.play(samplesFromLittleEndian(frame.audio));
      case "interruption":
        // The client's reader throws "Unknown frame kind" at it and goes on: what it holds plays.
        return context.note("pipecat interruption frame (ignored by the client)");
      case "message":
        return this.#onMessage(frame.data);
      default:
        return context.note(`pipecat ${frame.kind} frame`);
    }
  }

  #onMessage(data: string): void {
    const context = this.#context;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data);
    } catch {
      return context.violation(
        "pipecat.bad-message",
        `MessageFrame data is not JSON: ${data.slice(0, 40)}`,
      );
    }
    if (message?.label !== "rtvi-ai") {
      return context.note("pipecat non-RTVI message (ignored by the client)");
    }
    if (message.type === "bot-ready") {
      if (message.id !== this.#readyId) {
        context.violation(
          "pipecat.bot-ready-id",
          `bot-ready id ${String(message.id)}, client-ready was ${this.#readyId}`,
        );
      }
      const version = String((message.data as Record<string, unknown> | undefined)?.version ?? "0");
      this.#botVersion = version.split(".").map((part) => Number(part) || 0);
      return;
    }
    context.note(`pipecat ${String(message.type)}`);
  }

  #rtvi(message: unknown): void {
    this.#context.send(encodeMessageFrame(JSON.stringify(message)));
  }
}
