// Malformed outbound frames for the surface fuzzer: of every type, a field of the wrong type (or
// no frame at all). Each must be refused by `send()` as an encode error, counted and reported,
// whether the session is open or closed, never thrown nor sent.
import type { Frame } from "../../mod.ts";
import type { Prng } from "./prng.ts";

/** One malformed frame, and whether it has a frame type (counted in `framesOut`) at all. */
export function malformedFrame(r: Prng): { frame: Frame; typed: boolean; what: string } {
  const wrong = r.pick<unknown>([5, null, undefined, {}, [], true, 1n, Symbol("s")]);
  const pcm = new Uint8Array(320);
  const cases: [string, unknown, boolean][] = [
    ["audio bytes", { type: "audio", audio: "AAAA", sampleRate: 16000, channels: 1 }, true],
    ["audio array", { type: "audio", audio: [1, 2], sampleRate: 16000, channels: 1 }, true],
    ["audio rate", {
      type: "audio",
      audio: pcm,
      sampleRate: r.pick<unknown>(["16000", 0, -1, NaN, 1e9]),
      channels: 1,
    }, true],
    ["audio channels", {
      type: "audio",
      audio: pcm,
      sampleRate: 16000,
      channels: r.pick<unknown>([0, "1", 1.5, 99]),
    }, true],
    ["audio responseId", {
      type: "audio",
      audio: pcm,
      sampleRate: 16000,
      channels: 1,
      responseId: r.pick<unknown>([5, null, {}]),
    }, true],
    ["text", { type: "text", text: wrong }, true],
    [
      "transcription text",
      { type: "transcription", text: wrong, userId: "u", timestamp: "t" },
      true,
    ],
    [
      "transcription userId",
      { type: "transcription", text: "x", userId: wrong, timestamp: "t" },
      true,
    ],
    [
      "transcription timestamp",
      { type: "transcription", text: "x", userId: "u", timestamp: wrong },
      true,
    ],
    ["dtmf", { type: "dtmf", digit: r.pick<unknown>([1, null, undefined]) }, true],
    ["mark", { type: "mark", name: wrong }, true],
    ["end reason", { type: "end", reason: r.pick<unknown>([5, null, {}]) }, true],
    ["no type", { audio: pcm }, false],
    ["unknown type", { type: r.pick<unknown>(["bogus", 5, "Audio", ""]) }, false],
    ["no object", r.pick<unknown>([null, undefined, 5, "audio"]), false],
  ];
  const [what, frame, typed] = r.pick(cases);
  return { frame: frame as Frame, typed, what };
}
