/**
 * The AudioHook envelope of one session, both ways: our server messages numbered (`seq`, from 1,
 * with `clientseq` the last `seq` Genesys sent, and the session `id`), and the checks every client
 * message must pass before the serializer acts on it: its text (a JSON object, not too long) and
 * its envelope (`seq`, `serverseq`, `position`, `id`, `version`, `type`, `parameters`). Internal
 * to `genesys.ts`.
 *
 * Apart from the serializer because it is the protocol's numbering and nothing else: the counters
 * move only here, so the rules that keep them consistent (a number taken only once its message is
 * made; a wrong `seq` never becomes the expected one) are read in one place, and the serializer's
 * session state is no part of them. What a breach does (the `disconnect` that asks Genesys to end
 * the session) is the serializer's: the checks hand it the breach's `info` through `breach`.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { utf8Length } from "../_utf8_length.ts";
import { toJson } from "./_to_json.ts";
import { describe, isObject, isSequenceNumber, type JsonObject } from "./telephony/_json_value.ts";
import { JsonReader } from "./telephony/json_reader.ts";

/** The nil UUID: the session id before `open` gives one, and a connection probe's conversation and participant ids. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * The largest text message Genesys's reference client takes: it answers a longer one with a fatal
 * error 413, "Message too large", and its close transaction (client/clientsessionimpl.ts,
 * onTextMessage: `data.length > 65535`). Counted here in UTF-8 bytes, never fewer than the
 * client's UTF-16 units, so no message under it is too long there.
 */
export const MAX_TEXT_BYTES = 65_535;

/**
 * The longest text message Genesys may send us, in UTF-16 code units (a string's `length`): the
 * reference server refuses a longer one before it reads it, "Text message too large (>64K)", a
 * `disconnect` with reason `error` (server/serversessionimpl.ts, onTextMessage:
 * `data.length > 65535`). Counted as it counts, so no message it takes is refused here.
 */
export const MAX_CLIENT_TEXT_LENGTH = 65_535;

/**
 * An ISO 8601 duration in seconds, the only form AudioHook uses (`PT1.5S`, `PT.5S`): exactly what
 * the reference implementation's `isDuration` accepts (protocol/validators.ts, `durationRegex`).
 */
const DURATION = /^PT(?:\d*\.)?\d+S$/;
/**
 * A session id: a UUID, or the nil UUID, exactly what the reference implementation's `isUuid`
 * accepts (protocol/validators.ts, `uuidRegex`).
 */
const UUID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|0{8}-0{4}-0{4}-0{4}-0{12})$/;

/**
 * The decode error for a client message that breaks the protocol, made by the serializer from the
 * breach's `info` (it also asks Genesys to end the session, once).
 */
export type Breach = (info: string) => TransportError;

/** What {@linkcode GenesysEnvelope.check} found a client message to be, once it passed. */
export interface ClientEnvelope {
  /** Where Genesys's stream was when it sent the message (a duration such as `PT1.5S`). */
  position: string;
  /** The message's type: any string, since the Audio Connector has types the reference lacks. */
  type: string;
  /** The message's parameters; absent ones are empty. */
  parameters: JsonObject;
}

/** One session's numbering and id, ours and Genesys's (see the module doc). */
export class GenesysEnvelope {
  #id = NIL_UUID;
  /** The last `seq` we sent. */
  #seq = 0;
  /** The last `seq` Genesys sent that we took. */
  #clientseq = 0;

  /** The session id Genesys gave in `open` (the nil UUID before). */
  get id(): string {
    return this.#id;
  }

  /** Names the session: the `id` of Genesys's `open`, which `check` has seen is a UUID. */
  set id(id: string) {
    this.#id = id;
  }

  /**
   * A server message with the next `seq`, as JSON text, of at most `maxBytes`. The number is
   * taken only once the text is made: a message refused on the way (not JSON-able, too large)
   * leaves no gap in our numbering, which Genesys's reference client answers as a protocol error
   * that ends the session (client/clientsessionimpl.ts, onServerMessageBase).
   */
  take(type: string, parameters: JsonObject, maxBytes?: number): string {
    const text = this.text(type, parameters);
    if (maxBytes !== undefined) {
      const bytes = utf8Length(text);
      if (bytes > maxBytes) {
        throw new TransportError(
          "encode",
          `genesys: ${type} not sent: ${bytes} bytes, and Genesys takes at most ${maxBytes}`,
        );
      }
    }
    this.#seq++;
    return text;
  }

  /** The server message `take` would make now, its `seq` not yet taken. */
  text(type: string, parameters: JsonObject): string {
    return toJson({
      version: "2",
      type,
      seq: this.#seq + 1,
      clientseq: this.#clientseq,
      id: this.#id,
      parameters,
    });
  }

  /**
   * Checks what every client message must be, as the reference server does before acting on one:
   * `seq` the next number (a replay, an older message or a gap is refused), `serverseq` present
   * and no more than the last `seq` we sent, `position` a duration, `id` this session's once
   * `open` has named it, `version` "2", `type` a string and `parameters`, when present, an
   * object. A fault throws `breach(info)`; the message is then not acted on. `closing`: the
   * message is Genesys's close transaction answering our `disconnect`, taken whatever its `seq`.
   * Returns the message's `position`, `type` and `parameters`.
   */
  check(message: JsonReader, closing: boolean, breach: Breach): ClientEnvelope {
    const seq = sequenceNumber(message, "seq", breach);
    const expected = this.#clientseq + 1;
    if (seq !== expected) {
      // The reference server requires seq === clientseq + 1 and answers anything else with
      // `disconnect` reason `error` ("Invalid seq value (not monotonically increasing)"), leaving
      // `clientseq` where it was (server/serversessionimpl.ts, onTextMessage): a wrong number,
      // one corrupt value as much as a replay, never becomes the expected one, or a single bad
      // `seq` would make every later message look old. Once the session is ending (our
      // `disconnect`, or that breach's) Genesys's numbering can no longer be matched, so its
      // close transaction is taken whatever its `seq` (the reference takes `close` "in any
      // state"), and `closed` acknowledges it: the session ends properly, not by timeout.
      if (!closing) throw breach(`Invalid seq value ${seq}, expected ${expected}`);
    }
    this.#clientseq = seq;
    // Required on every client message, not only where we have sent something to acknowledge:
    // the reference implementation's `ClientMessageBase` declares `serverseq` unconditionally and
    // its server refuses a message without it as "not a well-formed client message"
    // (protocol/validators.ts, isClientMessageBase; server/serversessionimpl.ts, onTextMessage).
    if (message.value.serverseq === undefined) throw breach("Missing serverseq");
    const serverseq = sequenceNumber(message, "serverseq", breach);
    if (serverseq > this.#seq) {
      throw breach(`Invalid serverseq value ${serverseq}, ours is ${this.#seq}`);
    }
    // Required on every client message too, and checked after `seq` like `serverseq`, so that a
    // refused message still moves `clientseq` on and Genesys's close transaction is taken: the
    // reference implementation's `ClientMessageBase` declares `position` unconditionally and
    // `isClientMessageBase` (protocol/validators.ts) refuses a message whose `position` fails
    // `isDuration` (absent, not a string, or not `PT…S`).
    const position = message.value.position;
    if (position === undefined) throw breach("Missing position");
    if (typeof position !== "string" || !DURATION.test(position)) {
      throw breach(`position is not a duration: ${describe(position)}`);
    }
    // Before `open` has named the session, a UUID (every message's `id` is one: the reference
    // implementation's `isMessageBase` requires `uuidRegex`); an `open` with any other id could
    // be answered with nothing its client takes, and an id longer than a UUID would carry
    // `opened` past the 65,535 bytes the serializer's `#checkOpenedFits` keeps it under.
    const id = message.value.id;
    if (this.#id === NIL_UUID) {
      if (typeof id !== "string" || !UUID.test(id)) {
        throw breach(`id is not a session UUID: ${describe(id)}`);
      }
    } else if (id !== this.#id) {
      throw breach(`Session identifier mismatch: ${describe(id)}`);
    }
    // The rest of the reference implementation's `isMessageBase` (protocol/validators.ts), whose
    // failure its server answers as "Message not a well-formed client message" with `disconnect`,
    // reason `error` (server/serversessionimpl.ts, onTextMessage), checked after `seq` as the
    // fields above are. `version` is required and must be the string "2", the protocol version
    // this serializer speaks: a message of another version (or none) cannot be read as one of
    // ours. `type` must be a string, whatever string: the reference server also refuses a type it
    // does not know ("not a supported client message"), but the Audio Connector sends types it
    // lacks (`dtmf`, `playback_started`, `playback_completed`), so an unknown type still reaches
    // the bot.
    const version = message.value.version;
    if (version !== "2") throw breach(`version is not "2": ${describe(version)}`);
    const type = message.value.type;
    if (typeof type !== "string") throw breach(`type is not a string: ${describe(type)}`);
    // `parameters` an object (`isJsonObject`): null, an array, a string or a number is refused.
    // Absent, it is taken as empty, although the reference requires it: every message Genesys's
    // clients are known to send carries it, and a session ended over a missing `{}` would cost a
    // call for nothing the serializer needs.
    const given = message.value.parameters;
    if (given !== undefined && !isObject(given)) {
      throw breach(`parameters are not an object: ${describe(given)}`);
    }
    return { position, type, parameters: given ?? {} };
  }
}

/**
 * One text message from Genesys read as a client message's JSON object, or `breach(info)` thrown:
 * the reference server asks the client to end the session (`disconnect`, reason `error`) for a
 * text over {@linkcode MAX_CLIENT_TEXT_LENGTH} ("Text message too large"), one that is not JSON
 * ("Text message not valid JSON") and JSON that is no object ("Message not a well-formed client
 * message": `isClientMessageBase` in protocol/validators.ts wants an object), as it does for an
 * envelope that fails {@linkcode GenesysEnvelope.check} (server/serversessionimpl.ts,
 * onTextMessage). Measured before it is parsed: a text that long is not read at all.
 */
export function readClientText(data: string, breach: Breach): JsonReader {
  if (data.length > MAX_CLIENT_TEXT_LENGTH) {
    throw breach(
      `Text message too large: ${data.length} characters, over ${MAX_CLIENT_TEXT_LENGTH}`,
    );
  }
  let value: unknown;
  try {
    value = JsonReader.parseValue(data, "genesys");
  } catch {
    throw breach(`Text message not valid JSON: ${describe(data)}`);
  }
  if (!isObject(value)) throw breach(`Text message not a JSON object: ${describe(value)}`);
  return new JsonReader(value, { provider: "genesys" });
}

/**
 * `message[key]` as a sequence number; one missing or malformed is a breach like a wrong one:
 * the reference server refuses such a message as "not a well-formed client message"
 * (protocol/validators.ts, isClientMessageBase) and disconnects.
 */
function sequenceNumber(message: JsonReader, key: "seq" | "serverseq", breach: Breach): number {
  const value = message.value[key];
  if (!isSequenceNumber(value)) throw breach(`${key} is not a sequence number: ${describe(value)}`);
  return value;
}
