/**
 * A serializer for the urgent-order tests whose far end speaks no platform's protocol: audio is
 * raw PCM (`RawPcmSerializer`), an interruption the clear `{"event":"clear"}`, a message the JSON
 * `{"event":"message","name":…}` of its `name`. Some answers come later (its `serialize` returns a
 * promise: a remote encoder, a worker), each only once the test calls `answer(name)`, never if it
 * does not.
 *
 * @module
 */
import { type Frame, type FrameSerializer, RawPcmSerializer } from "../mod.ts";

/** Which answers the test gives by hand. */
export interface HandAnsweredOptions {
  /** Every message, not only one whose `slow` is set. */
  everyMessage?: boolean;
  /** The clear too, as "clear". */
  clear?: boolean;
  /** A `cancel` is the message "cancel" (answered at once), not raw PCM's. */
  cancelMessage?: boolean;
}

/**
 * The serializer, and `answer(name)` giving the oldest answer held for `name`; `answer(name, value)`
 * answers `value` instead (`null`: no message after all; anything else no message is: an encode
 * error).
 */
export function handAnsweredPcm(options: HandAnsweredOptions = {}) {
  const pcm = new RawPcmSerializer();
  // Answers held per name, oldest first: a name may be waited on more than once (two clears).
  const due = new Map<string, ((answer?: unknown) => void)[]>();
  const later = (name: string, text: string) =>
    new Promise<string | null>((resolve) => {
      const answers = due.get(name) ?? [];
      due.set(name, answers);
      answers.push((answer?: unknown) => resolve((answer === undefined ? text : answer) as string));
    });
  const serializer: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type === "interruption") {
        const clear = JSON.stringify({ event: "clear" });
        return options.clear ? later("clear", clear) : clear;
      }
      if (frame.type === "cancel" && options.cancelMessage) {
        return JSON.stringify({ event: "message", name: "cancel" });
      }
      if (frame.type !== "message") return pcm.serialize(frame);
      const { name, slow } = frame.message as { name: string; slow?: boolean };
      const text = JSON.stringify({ event: "message", name });
      return options.everyMessage || slow === true ? later(name, text) : text;
    },
  };
  return {
    serializer,
    answer: (name: string, answer?: unknown) => due.get(name)!.shift()!(answer),
  };
}
