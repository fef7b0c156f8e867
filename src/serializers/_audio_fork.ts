/**
 * What FreeSWITCH's `mod_audio_fork` with bidirectional streaming needs of a serializer, whether
 * a FreeSWITCH application started it (`FreeSwitchSerializer`) or jambonz's `listen` verb did
 * (`JambonzSerializer`): outbound L16 safe from the module's mark sentinel, its JSON commands,
 * and its inbound text events. Internal to the serializers.
 *
 * @module
 */

import type { DtmfFrame, Frame, MarkFrame } from "../frames.ts";
import { TransportError } from "../errors.ts";
import { isObject } from "./telephony/_json_value.ts";
import { toJson } from "./_to_json.ts";
import type { JsonReader } from "./telephony/json_reader.ts";

/** Drops the audio playing and buffered; marks not reached come back as `cleared`. */
export const KILL_AUDIO = '{"type":"killAudio"}';
/** Ends the fork: jambonz closes the socket and ends the `listen`. */
export const DISCONNECT = '{"type":"disconnect"}';

/**
 * The module keeps at most 30 marks (in inventory and in use) and discards further ones with
 * only a log line (`MAX_MARKS` in jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp`).
 */
export const MAX_PENDING_MARKS = 30;

/**
 * The module marks a mark's place in its playout buffer with the sample 0xFFFF and takes any
 * such sample it meets while marks are pending for a mark (`AUDIO_MARKER`, same file): audio
 * holding the value -1 would acknowledge marks early and lose samples. Outbound audio has each
 * -1 moved to -2 (one step, inaudible); the bytes are copied only when one is found.
 */
export function withoutMarkSentinel(pcm: Uint8Array): Uint8Array {
  let copy: Uint8Array | undefined;
  for (let i = 0; i + 1 < pcm.length; i += 2) {
    if (pcm[i] === 0xff && pcm[i + 1] === 0xff) {
      // Deliberate copy: the bytes may be the caller's, and must not change under it.
      copy ??= pcm.slice();
      copy[i] = 0xfe;
    }
  }
  return copy ?? pcm;
}

/**
 * A name the module can echo back intact: it writes the name into its JSON answer unescaped
 * (`send_mark_event` in `lws_glue.cpp`), so a quote, a backslash or a control character would
 * come back as broken JSON or another name.
 */
// deno-lint-ignore no-control-regex -- control characters are exactly what it looks for
const ECHO_SAFE_NAME = /^[^"\\\u0000-\u001f]*$/;

/** Marks sent and not yet answered, to keep under the module's bound. */
export class ForkMarks {
  readonly #provider: string;
  #pending = 0;
  /** Names that are not echo-safe, by the id sent in their place. */
  readonly #renamed = new Map<string, string>();
  #nextId = 0;

  /** Counts marks for `provider` (used in error messages). */
  constructor(provider: string) {
    this.#provider = provider;
  }

  /** The `mark` command for `name`; an encode error when the module would discard it. */
  command(name: string): string {
    if (this.#pending >= MAX_PENDING_MARKS) {
      throw new TransportError(
        "encode",
        `${this.#provider}: ${MAX_PENDING_MARKS} marks are waiting to play; mod_audio_fork ` +
          `would discard mark ${JSON.stringify(name)} without a word`,
      );
    }
    this.#pending++;
    let sent = name;
    if (!ECHO_SAFE_NAME.test(name)) {
      sent = `#m${++this.#nextId}`;
      this.#renamed.set(sent, name);
    }
    return toJson({ type: "mark", data: { name: sent } });
  }

  /**
   * A `message` frame's JSON, sent as it is; a `clearMarks` command among them makes the module
   * forget every pending mark (it will not answer them), so the count starts afresh.
   */
  message(message: unknown): string {
    if (isObject(message) && message.type === "clearMarks") {
      this.#pending = 0;
      this.#renamed.clear();
    }
    return toJson(message);
  }

  /**
   * A text event of the module or its application (`{"type":"mark", …}`, jambonz's
   * `{"event":"dtmf", …}`) as a frame, or `undefined` when `reader` is neither.
   */
  read(reader: JsonReader): Frame | undefined {
    const value = reader.value;
    if (value.type === "mark" && isObject(value.data)) {
      const data = reader.object("data");
      const sent = data.string("name");
      const name = this.#renamed.get(sent) ?? sent;
      this.#renamed.delete(sent);
      const event = data.optionalString("event");
      if (event !== undefined && event !== "playout" && event !== "cleared") {
        throw reader.error(`mark event is neither playout nor cleared: ${JSON.stringify(event)}`);
      }
      if (this.#pending > 0) this.#pending--;
      // Played or cleared by killAudio, the bot waiting on it is done waiting (as with Twilio).
      return { type: "mark", name } satisfies MarkFrame;
    }
    if (value.event === "dtmf") {
      return { type: "dtmf", digit: reader.dtmfDigit("dtmf") } satisfies DtmfFrame;
    }
    return undefined;
  }
}
