/**
 * Which AudioHook server messages the bot may have the Genesys serializer send (a `message` frame
 * holding `{ type, parameters }`), and why Genesys's client would refuse one. Internal to
 * `genesys.ts`.
 *
 * Apart from the serializer because it is the protocol's schema, not the session: a message
 * refused here is refused whatever state the session is in, so these rules read (and are checked
 * against the reference implementation's `serverMessageChecker`) without the state machine around
 * them. Whether the session can carry a message now is the serializer's to say, after these.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";

/**
 * The AudioHook server messages: Genesys's reference client takes no other type, and answers one
 * as a fatal error, error 500 and its close transaction (protocol/validators.ts,
 * `serverMessageChecker`; client/clientsessionimpl.ts, `onServerMessageBase`).
 */
const SERVER_MESSAGES = new Set([
  "closed",
  "disconnect",
  "event",
  "opened",
  "pause",
  "pong",
  "reconnect",
  "resume",
  "updated",
]);

/**
 * The server messages that answer a client's request, by the request: the serializer sends each
 * itself, at once, and only then does Genesys's reference client take one (an `opened` out of its
 * open transaction, or a `closed` out of its close transaction, is a fatal error 409 and a close
 * transaction; a `pong` with no `ping` outstanding an error 409: client/clientsessionimpl.ts,
 * onOpenedMessage, onClosedMessage, onPongMessage). From the bot, one could only come unasked.
 */
const ANSWERS: ReadonlyMap<string, string> = new Map([
  ["opened", "open"],
  ["pong", "ping"],
  ["closed", "close"],
]);

/** The `reason` of a `disconnect` the reference client takes (validators.ts, isDisconnectReason). */
const DISCONNECT_REASONS: readonly unknown[] = ["completed", "error", "unauthorized"];

/** A server message the bot may send, as a `message` frame held it. */
export interface BotServerMessage {
  /** An AudioHook server message type that answers no request of Genesys's. */
  type: string;
  /** Its parameters (`{}` when the frame gave none), as Genesys's client takes them. */
  parameters: JsonObject;
}

/**
 * The server message a `message` frame's `message` holds, or an "encode" error saying why it is
 * not one Genesys's client takes: not `{ type, parameters }`, a type that is no AudioHook server
 * message (see `SERVER_MESSAGES`) or one the serializer sends itself in answer to Genesys
 * (`ANSWERS`), or parameters the client refuses (`parametersProblem`).
 */
export function botServerMessage(message: unknown): BotServerMessage {
  if (!isObject(message) || typeof message.type !== "string") {
    throw new TransportError(
      "encode",
      `genesys: a message frame must hold { type, parameters }, got ${describe(message)}`,
    );
  }
  // Not sent: Genesys would end the call for it (see `SERVER_MESSAGES`).
  if (!SERVER_MESSAGES.has(message.type)) {
    throw new TransportError(
      "encode",
      `genesys: a message frame must hold an AudioHook server message, got type ` +
        describe(message.type),
    );
  }
  const request = ANSWERS.get(message.type);
  if (request !== undefined) {
    throw new TransportError(
      "encode",
      `genesys: ${message.type} not sent: it answers Genesys's ${request}, which the ` +
        "serializer answers itself",
    );
  }
  const parameters = message.parameters ?? {};
  if (!isObject(parameters)) {
    throw new TransportError(
      "encode",
      `genesys: message parameters must be an object, got ${describe(parameters)}`,
    );
  }
  const problem = parametersProblem(message.type, parameters);
  if (problem !== undefined) {
    throw new TransportError("encode", `genesys: ${message.type} not sent: ${problem}`);
  }
  return { type: message.type, parameters };
}

/**
 * Why Genesys's reference client would refuse a server message of `type` with `parameters`, or
 * `undefined`. Its `serverMessageChecker` (protocol/validators.ts) requires an `event`'s
 * `entities`, a list of `{ type, data }` (`type` a string, `data` a JSON value other than null),
 * a `disconnect`'s `reason` (`completed`, `error` or `unauthorized`), and the `info` of a
 * `disconnect` or `reconnect` to be a string when present; it answers a message that fails as
 * any message it cannot read, with a fatal error 500 and its close transaction
 * (client/clientsessionimpl.ts, onServerMessageBase and its message handler). So too an `event`
 * with no entities, which the checker takes but `onEventMessage` cannot read.
 */
function parametersProblem(type: string, parameters: JsonObject): string | undefined {
  const { entities, reason, info } = parameters;
  if (type === "event") {
    if (!Array.isArray(entities)) return `entities is not a list: ${describe(entities)}`;
    // The checker takes an empty list, but the client's `onEventMessage` reads `entities[0]`.
    if (entities.length === 0) return "entities is empty";
    const bad = entities.findIndex((entity) =>
      !isObject(entity) || typeof entity.type !== "string" || entity.data === undefined ||
      entity.data === null
    );
    if (bad >= 0) return `entities[${bad}] is not { type, data }: ${describe(entities[bad])}`;
  }
  if (type === "disconnect" && !DISCONNECT_REASONS.includes(reason)) {
    return `reason is not completed, error or unauthorized: ${describe(reason)}`;
  }
  if ((type === "disconnect" || type === "reconnect") && info !== undefined) {
    if (typeof info !== "string") return `info is not a string: ${describe(info)}`;
  }
  return undefined;
}
