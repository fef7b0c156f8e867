/**
 * What is wrong with a frame handed to `send`, if anything: no frame at all, a type the
 * transport does not know, audio that is not what it says, or a field the far end would be
 * sent that is not the string its type says (a mark's name, an end's reason).
 *
 * @module
 */

import { MAX_CHANNELS, MAX_SAMPLE_RATE } from "./audio/_frame_limits.ts";
import { kindOf } from "./_kind_of.ts";
import type { AudioFrame, Frame, FrameType } from "./frames.ts";
import { PLAYOUT_MARK_PREFIX } from "./playback.ts";
import { closeCodeProblem } from "./transport_options.ts";

/** Every frame type but audio (what `send` takes): the record makes the checker list them all. */
const OTHER_FRAME_TYPES: ReadonlySet<string> = new Set(Object.keys(
  {
    interruption: true,
    cancel: true,
    end: true,
    message: true,
    text: true,
    transcription: true,
    dtmf: true,
    mark: true,
    start: true,
  } satisfies Record<Exclude<FrameType, "audio">, true>,
));

/**
 * Names what makes `value` no frame (not an object, or of a type no frame has), or returns
 * `undefined` for one. Audio, nearly every frame sent, is known without a lookup.
 */
export function notAFrameProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") {
    return `send takes a frame, got ${value === null ? "null" : typeof value}`;
  }
  const type = (value as { type?: unknown }).type;
  if (type === "audio" || OTHER_FRAME_TYPES.has(type as string)) return undefined;
  return `send takes a frame, got one of type ${JSON.stringify(type)}`;
}

/**
 * Names the first thing wrong with `frame` (one by {@linkcode notAFrameProblem}), whatever its
 * type: audio by {@linkcode audioFrameProblem}; a field its type says is a string that is not (a
 * serializer writes them into the far end's messages: an LLM stream's last chunk, whose content is
 * `undefined`, went out as a token-less text; an end's reason closes the socket). Returns
 * `undefined` when it is sound.
 */
export function frameProblem(frame: Frame): string | undefined {
  switch (frame.type) {
    case "audio":
      return audioFrameProblem(frame);
    case "text":
      return notString(frame, "text") ??
        (frame.responseId === undefined ? undefined : notString(frame, "responseId", " (or none)"));
    case "transcription":
      return notString(frame, "text") ?? notString(frame, "userId") ??
        notString(frame, "timestamp") ??
        (frame.language === undefined ? undefined : notString(frame, "language", " (or none)"));
    case "dtmf":
      return notString(frame, "digit");
    case "mark":
      return notString(frame, "name") ?? reservedMarkProblem(frame.name);
    case "end":
      return frame.reason === undefined ? undefined : notString(frame, "reason", " (or none)");
    case "cancel":
      return (frame.closeCode === undefined ? undefined : closeCodeProblem(frame.closeCode)) ??
        (frame.reason === undefined ? undefined : notString(frame, "reason", " (or none)"));
  }
  return undefined;
}

/** Names `frame[field]` when it is not a string ("text frame's text is a number (5), …"). */
function notString<F extends Frame>(
  frame: F,
  field: keyof F & string,
  or = "",
): string | undefined {
  const value = frame[field];
  if (typeof value === "string") return undefined;
  return `${frame.type} frame's ${field} is ${kindOf(value)}, not a string${or}`;
}

/**
 * Names the first thing wrong with `frame` (bytes that are not a Uint8Array, a rate or channel
 * count that is not a positive integer or is beyond any audio format's, bytes that are not whole
 * PCM16 sample frames, a `responseId` that is not a string), or returns `undefined` when it is
 * sound.
 */
export function audioFrameProblem(frame: AudioFrame): string | undefined {
  const { audio, sampleRate, channels, responseId } = frame;
  if (!(audio instanceof Uint8Array)) return "audio frame's audio is not a Uint8Array";
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) {
    return `audio frame's sampleRate is ${sampleRate} (1 to ${MAX_SAMPLE_RATE} Hz)`;
  }
  if (!Number.isInteger(channels) || channels <= 0 || channels > MAX_CHANNELS) {
    return `audio frame's channels is ${channels} (1 to ${MAX_CHANNELS})`;
  }
  if (audio.length % (channels * 2) !== 0) {
    return `audio frame of ${audio.length} bytes is not whole ${channels}-channel PCM16 sample frames`;
  }
  // The gate keys responses by it, and events and `interrupt()` hand it back as the bot's own.
  if (responseId !== undefined && typeof responseId !== "string") {
    return `audio frame's responseId is ${kindOf(responseId)}, not a string (or none)`;
  }
  return undefined;
}

/**
 * A bot's mark named as the transport's own playout marks are would have its answer taken for
 * theirs: hidden from the bot, and read as playback truth.
 */
function reservedMarkProblem(name: string): string | undefined {
  if (!name.startsWith(PLAYOUT_MARK_PREFIX)) return undefined;
  return `a mark's name may not start with ${JSON.stringify(PLAYOUT_MARK_PREFIX)}, which the ` +
    `transport's own playout marks use (its answer would be hidden from the bot), got ` +
    JSON.stringify(name);
}
