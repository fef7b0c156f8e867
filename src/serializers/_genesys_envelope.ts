/**
 * The AudioHook envelope of one session, both ways: our server messages numbered (`seq`, from 1,
 * with `clientseq` the last `seq` Genesys sent, and the session `id`), and the checks every client
 * message must pass before the serializer acts on it: its text (a JSON object, not too long) and
 * its envelope (`seq`, `serverseq`, `position`, `id`, `version`, `type`, `parameters`, and what
 * its type's parameters must hold: `_genesys_client_parameters.ts`). Internal to `genesys.ts`.
 *
 * Apart from the serializer because it is the protocol's numbering and nothing else: the counters
 * move only here, so the rules that keep them consistent (a number taken only once its message is
 * made; a wrong `seq`, or a malformed message's, never becomes the expected one) are read in one place, and the serializer's
 * session state is no part of them. What a breach does (the `disconnect` that asks Genesys to end
 * the session) is the serializer's: the checks hand it the breach's `info` through `breach`.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { utf8Length } from "../_utf8_length.ts";
import { toJson } from "./_to_json.ts";
import { clientParametersFault, DURATION } from "./_genesys_client_parameters.ts";
import { openParametersFault, UUID } from "./_genesys_open_parameters.ts";
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
  /** The message's parameters (every client message carries them). */
  parameters: JsonObject;
}

/** One session's numbering and id, ours and Genesys's (see the module doc). */
export class GenesysEnvelope {
  #id = NIL_UUID;
  /** The last `seq` we sent. */
  #seq = 0;
  /** The last `seq` Genesys sent that we took: the highest, as it never moves back. */
  #clientseq = 0;
  /**
   * The furthest Genesys's numbering can have gone: `clientseq`, raised past it by each text
   * message of Genesys's whose `seq` we did not take (refused unread, malformed in its shape, out
   * of step, or a close we answered whose `seq` is no number), numbered all the same (the
   * reference client numbers every message it builds: clientsessionimpl.ts, buildMessage,
   * `seq: ++this.seq`): by one, or to the message's own `seq` where that is further. Above
   * `clientseq`, Genesys numbers on from messages we refused: its next message may be ahead of
   * ours through our refusal, not through a fault of its own, but no further than one past this
   * (a gap beyond is its own fault, as one is while in step). Audio (no `seq`) and a message
   * refused once its `seq` was taken (its `serverseq`, `id` or parameters) leave it where it is.
   * Back to `clientseq` with the next message whose `seq` is taken.
   */
  #reached = 0;

  /**
   * A text message of Genesys's whose `seq` was not taken: numbered all the same, by one, or by
   * its own `seq` where readable and further (see `#reached`).
   */
  #numberedOn(seq?: number): void {
    this.#reached = Math.max(this.#reached + 1, seq ?? 0);
  }

  /** A message's `seq` taken: `clientseq`, which Genesys's numbering has reached. */
  #take(seq: number): void {
    this.#clientseq = seq;
    this.#reached = seq;
  }

  /** The session id Genesys gave in `open` (the nil UUID before). */
  get id(): string {
    return this.#id;
  }

  /** Names the session: the `id` of Genesys's `open`, which `check` has seen is a UUID. */
  set id(id: string) {
    this.#id = id;
  }

  /**
   * A text message of Genesys's was refused unread (too long, not JSON, no object: see
   * {@linkcode readClientText}): numbered by Genesys all the same, its `seq` was not taken.
   */
  refusedUnread(): void {
    this.#numberedOn();
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
   * What is wrong with a client message's `seq` (`undefined`: nothing): it must be the next one,
   * or, while Genesys numbers on from messages we refused before taking their `seq` (`#reached`
   * above `clientseq`), one ahead of it by no more than those messages. A number already taken (a
   * replay, an older message) is always a fault, and so is a gap, in step or behind.
   */
  #seqFault(seq: number): string | undefined {
    const expected = this.#clientseq + 1;
    const furthest = this.#reached + 1;
    if (seq >= expected && seq <= furthest) return undefined;
    return `Invalid seq value ${seq}, expected ${expected}` +
      (furthest > expected ? ` to ${furthest}` : "");
  }

  /**
   * Checks what every client message must be, in the reference server's order (server/
   * serversessionimpl.ts, onTextMessage). First its shape (`isClientMessageBase`, protocol/
   * validators.ts): `seq` and `serverseq` sequence numbers, `position` a duration, `id` a UUID,
   * `version` "2", `type` a string and `parameters` an object. Then its number: `seq` the next one
   * (a replay, an older message or a gap is refused); only a message that has passed both is taken,
   * so its `seq` becomes the `clientseq` our messages acknowledge. Then, the message taken,
   * `serverseq` no more than the last `seq` we sent, `id` this session's once `open` has named it,
   * and the parameters its type requires (`_genesys_client_parameters.ts`; an `open`'s,
   * `_genesys_open_parameters.ts`). A fault throws `breach(info)`; the message is then not acted
   * on. `closing`: the message is Genesys's close transaction answering our `disconnect`, taken
   * whatever its `seq` (which becomes `clientseq` only when ahead of it: never backwards), but a
   * `seq` out of step by a fault of Genesys's (see `#seqFault`) still throws `breach(info)` once
   * its shape has passed, for the serializer to report while it answers the close.
   * `outOfStep`: a message well formed in its shape whose `seq` is ahead of the next, while
   * Genesys numbers on from a message we refused before taking its `seq` (see `#reached`), and
   * no further ahead than such messages explain (a gap beyond is a breach: `#seqFault`), is no
   * breach but handed to it (see the serializer's `deserialize`, once the session is ending), and
   * `null` returned: not taken, not acted on, and nothing past its number checked, as the
   * reference server checks nothing past it. Without `outOfStep` (the serializer gives none once
   * the session has closed) such a message is no breach either, but taken as in step: its `seq`
   * becomes `clientseq`. Returns the message's `position`, `type` and `parameters`.
   */
  check(
    message: JsonReader,
    closing: boolean,
    breach: Breach,
    outOfStep?: () => void,
  ): ClientEnvelope | null {
    let seq: number;
    try {
      seq = sequenceNumber(message, "seq", breach);
    } catch (error) {
      // No number to take, a close's while we are ending too: Genesys numbered the message all
      // the same (the reference client numbers every message it builds: clientsessionimpl.ts,
      // buildMessage, `seq: ++this.seq`), so it numbers on from it, as from one refused unread.
      // A close whose number was unreadable leaves the numbering behind as any such message does:
      // Genesys's `error` after it (a 409, numbered after that close: signalFatalError) is ahead
      // through our failure to take the close's number, not a fault of its own: one ahead.
      this.#numberedOn();
      throw error;
    }
    let base: ReturnType<typeof clientMessageBase>;
    /** What is wrong with a closing message's `seq`, reported once its shape has passed. */
    let closingSeqFault: string | undefined;
    try {
      // Once the session is ending (our `disconnect`, or a breach's) Genesys's numbering can no
      // longer be matched, so its close transaction is taken whatever its `seq` (the reference
      // takes `close` "in any state"), and `closed` acknowledges it: the session ends properly,
      // not by timeout. Taken before its shape is checked, as it is answered whatever is wrong.
      // Taken forward only: `clientseq` acknowledges the client's messages up to it, so a close
      // ahead of ours (Genesys numbering on from one we refused) is acknowledged, but one replaying
      // a number already taken leaves it where it was, or `closed` would take back what our
      // earlier messages acknowledged (the reference server only ever moves it forward, by one).
      // A `seq` that is no number threw above: nothing to acknowledge, the last one taken stays.
      // Taken, but not silently: a `seq` that is neither the next nor ahead of it through our
      // refusal of one before it (see `#reached`) is Genesys's own fault, a replay or a gap, which
      // the reference server refuses as it refuses any ("Invalid seq value (not monotonically
      // increasing)": server/serversessionimpl.ts, onTextMessage), so it is reported as the
      // close's other faults are, after its shape, which the reference checks first.
      if (closing) {
        closingSeqFault = this.#seqFault(seq);
        this.#take(Math.max(seq, this.#clientseq));
      }
      base = clientMessageBase(message, breach);
    } catch (error) {
      // Refused before its `seq` was taken: Genesys numbers on from it.
      if (!closing) this.#numberedOn(seq);
      throw error;
    }
    if (closingSeqFault !== undefined) throw breach(closingSeqFault);
    const { serverseq, position, type, parameters } = base;
    if (!closing) {
      const expected = this.#clientseq + 1;
      // The reference server requires seq === clientseq + 1 and answers anything else with
      // `disconnect` reason `error` ("Invalid seq value (not monotonically increasing)"), leaving
      // `clientseq` where it was: a wrong number, one corrupt value as much as a replay, never
      // becomes the expected one, or a single bad `seq` would make every later message look old.
      // Nor does a message that failed its shape above: the reference checks the shape first
      // and never takes its `seq`, so our `disconnect` acknowledges the last message taken.
      if (seq !== expected) {
        const seqFault = this.#seqFault(seq);
        if (seqFault !== undefined) {
          this.#numberedOn(seq);
          throw breach(seqFault);
        }
        // Out of step through our refusal of one before it, not a fault of its own: ahead, as
        // Genesys numbers on, by no more than the messages refused (a number already taken, a
        // replay, or one further ahead, a gap, is its own fault: `#seqFault`). Numbered on from
        // too when not taken, or the next message Genesys numbers right would be a gap.
        // Handed to `outOfStep` where the caller has one (while we are ending); else taken below,
        // Genesys's numbering caught up with, as a close's ahead is: once the session has closed
        // (the only time the serializer gives none while behind, as every refusal before sends
        // a `disconnect`), nothing of ours follows for it to acknowledge, and Genesys's `error`
        // after its close is its word on what went wrong, read as in step.
        if (outOfStep !== undefined) {
          this.#numberedOn(seq);
          outOfStep();
          return null;
        }
      }
      this.#take(seq);
    }
    if (serverseq > this.#seq) {
      throw breach(`Invalid serverseq value ${serverseq}, ours is ${this.#seq}`);
    }
    // Named by `open`, the session takes no message of another: the reference answers one with
    // "Session identifier mismatch" (onTextMessage). Before, any UUID (checked above) names it.
    if (this.#id !== NIL_UUID && message.value.id !== this.#id) {
      throw breach(`Session identifier mismatch: ${describe(message.value.id)}`);
    }
    // An `open` names the session before its parameters are judged, as the reference server
    // takes the first message's id before it checks them (onTextMessage): a `disconnect` refusing
    // a malformed open is of the session Genesys opened, not of the nil one.
    if (type === "open" && this.#id === NIL_UUID) this.#id = message.value.id as string;
    // The parameters each type the reference knows requires; the reference answers a failure
    // with "Invalid Message: Invalid/missing parameters" (onTextMessage, `isClientMessage`).
    // A type it does not know is not refused: the Audio Connector sends types it lacks (`dtmf`,
    // `playback_started`, `playback_completed`), and an unknown type still reaches the bot.
    // A `close` is the exception: Genesys waits for our `closed` to end the session, and a breach's
    // `disconnect` would only be answered by the close it already sent, so the call would end by
    // timeout; its fault is the serializer's to report (`closeParametersFault`).
    // An `open`'s (`_genesys_open_parameters.ts`): its ids, its participant, every media offer
    // and its language, refused as the reference refuses them, before the open is acted on.
    const fault = type === "close"
      ? undefined
      : type === "open"
      ? openParametersFault(parameters)
      : clientParametersFault(type, parameters);
    if (fault !== undefined) throw breach(fault);
    return { position, type, parameters };
  }
}

/**
 * The fields every client message must carry, as the reference implementation's
 * `isClientMessageBase` and `isMessageBase` require them (protocol/validators.ts; its server
 * refuses a message that fails them as "Message not a well-formed client message"), or
 * `breach(info)` thrown naming the first that fails. All of them, `serverseq` and `position`
 * included, on every client message, not only where we have sent something to acknowledge.
 * `version` must be the string "2", the protocol version this serializer speaks: a message of
 * another version (or none) cannot be read as one of ours. `type` must be a string, whatever
 * string (see `check`). `parameters` must be an object (`isJsonObject`): absent, null, an array,
 * a string or a number is refused (but for a `close`'s, taken as none and left to the serializer
 * to report: see `check`), as the reference does, and as the Audio Connector's own
 * reference declares it on every message (GenesysCloudBlueprints/
 * audioconnector-server-reference-implementation, src/protocol/message.ts, `MessageBase`).
 * `id` must be a UUID (`isUuid`): an `open` with any other id could be answered with nothing its
 * client takes, and an id longer than a UUID would carry `opened` past the 65,535 bytes the
 * serializer's `#checkOpenedFits` keeps it under.
 */
function clientMessageBase(
  message: JsonReader,
  breach: Breach,
): { serverseq: number; position: string; type: string; parameters: JsonObject } {
  const fields = message.value;
  if (fields.serverseq === undefined) throw breach("Missing serverseq");
  const serverseq = sequenceNumber(message, "serverseq", breach);
  const position = fields.position;
  if (position === undefined) throw breach("Missing position");
  if (typeof position !== "string" || !DURATION.test(position)) {
    throw breach(`position is not a duration: ${describe(position)}`);
  }
  const id = fields.id;
  if (typeof id !== "string" || !UUID.test(id)) {
    throw breach(`id is not a session UUID: ${describe(id)}`);
  }
  const version = fields.version;
  if (version !== "2") throw breach(`version is not "2": ${describe(version)}`);
  const type = fields.type;
  if (typeof type !== "string") throw breach(`type is not a string: ${describe(type)}`);
  const parameters = fields.parameters;
  // A `close`'s are the serializer's to judge, as the rest of what its parameters must hold is
  // (see `check`): it answers a close whatever they are, and reports what is wrong with them.
  if (type === "close" && !isObject(parameters)) {
    return { serverseq, position, type, parameters: {} };
  }
  if (parameters === undefined) throw breach("Missing parameters");
  if (!isObject(parameters)) {
    throw breach(`parameters are not an object: ${describe(parameters)}`);
  }
  return { serverseq, position, type, parameters };
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
