/**
 * Writing Asterisk `chan_websocket` control commands in either of its two formats: the
 * serializer's own (`commandText`) and the bot's, sent in a `message` frame (`botCommand`). The
 * twin of `_asterisk_events.ts`, which reads the events that answer them; what the commands
 * change (marks, the bot's pause, the media direction) is the serializer's to keep. Internal to
 * `AsteriskSerializer`.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { toJson } from "./_to_json.ts";
import { utf8Length } from "../_utf8_length.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";

const PROVIDER = "Asterisk";
/** Asterisk ignores TEXT messages longer than this (`MAX_TEXT_MESSAGE_LEN` in chan_websocket.c). */
const MAX_COMMAND_BYTES = 128;
/** A command's name: Asterisk's are upper-case words joined by underscores (case-sensitive). */
const COMMAND_NAME = /^[A-Z][A-Z0-9_]*$/;
/**
 * The commands this serializer sends itself, and the frame that sends each. It keeps count of
 * what they do: the marks Asterisk holds (`FLUSH_MEDIA` discards them unanswered), the bulk
 * transfer open, the partial frame held back, the end after the audio has played. Sent past it
 * in a `message` frame, the transport would not know either: a raw `FLUSH_MEDIA` cuts only what
 * Asterisk had queued while the reply goes on, counted as played.
 */
const OWN_COMMANDS: Readonly<Record<string, string>> = Object.freeze({
  FLUSH_MEDIA: "an interruption frame",
  MARK_MEDIA: "a mark frame",
  START_MEDIA_BUFFERING: "a mark frame (the serializer opens and closes bulk transfers)",
  STOP_MEDIA_BUFFERING: "a mark frame (the serializer opens and closes bulk transfers)",
  HANGUP: "an end frame (after the audio has played) or a cancel frame",
});

/** A bot's command as it leaves: its name, its parameters, and the TEXT message that carries it. */
export interface BotCommand {
  command: string;
  /** The JSON form's parameters besides `command` (none in plain text). */
  parameters: JsonObject;
  text: string;
}

/**
 * A command of the serializer's own, `correlationId` after it, in the channel's control format
 * (`json`: the `f(json)` dial option). An encode error if Asterisk would ignore it for its length.
 */
export function commandText(json: boolean, command: string, correlationId?: string): string {
  const text = json
    ? JSON.stringify(
      correlationId === undefined ? { command } : { command, correlation_id: correlationId },
    )
    : correlationId === undefined
    ? command
    : `${command} ${correlationId}`;
  return checkLength(text);
}

/**
 * A `message` frame's command in the channel's control format: Asterisk reads every TEXT
 * message in that format (chan_websocket.c `handle_command`), so a bare word on a JSON channel is
 * answered with ERROR "Unable to parse JSON command", and a JSON object in plain text is taken
 * whole as a command's name and ignored. An encode error for what is no command, for one of the
 * serializer's own, for parameters in plain text, and for a message Asterisk would ignore or
 * could not parse (`checkParsable`).
 */
export function botCommand(message: unknown, json: boolean): BotCommand {
  const { command, ...parameters } = typeof message === "string"
    ? { command: message }
    : isObject(message)
    ? message
    : {};
  if (typeof command !== "string" || !COMMAND_NAME.test(command)) {
    // `STOP_MEDIA_BUFFERING <id>` as the docs write it: one of ours all the same.
    const own = typeof message === "string" ? message.split(" ", 1)[0]! : undefined;
    throw own !== undefined && Object.hasOwn(OWN_COMMANDS, own)
      ? ownCommand(own)
      : notACommand(message);
  }
  if (Object.hasOwn(OWN_COMMANDS, command)) throw ownCommand(command);
  if (json) {
    const text = checkLength(toJson({ command, ...parameters }));
    checkParsable(JSON.parse(text), command);
    return { command, parameters, text };
  }
  // Plain text carries a command's name alone: chan_websocket.c reads what follows it only as
  // the correlation id of the commands sent here by their frames, and refuses
  // SET_MEDIA_DIRECTION outside JSON.
  const names = Object.keys(parameters).filter((name) => parameters[name] !== undefined);
  if (names.length > 0) {
    throw new TransportError(
      "encode",
      `${PROVIDER}: ${command} with ${names.join(", ")}: plain-text control carries a ` +
        `command's name alone; the JSON control format (f(json)) carries parameters`,
    );
  }
  return { command, parameters, text: commandText(false, command) };
}

/** `text`, unless Asterisk would ignore it for its length: then an encode error. */
function checkLength(text: string): string {
  const bytes = utf8Length(text);
  if (bytes > MAX_COMMAND_BYTES) {
    throw new TransportError(
      "encode",
      `${PROVIDER}: a ${bytes}-byte command; Asterisk ignores TEXT messages over ${MAX_COMMAND_BYTES} bytes`,
    );
  }
  return text;
}

/** The largest integer Jansson reads (`json_int_t`, a C `long long`). */
const INT64_MAX = 2n ** 63n - 1n;
/** A lone UTF-16 surrogate, which JSON.stringify writes as an escape (`\\ud800`). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An encode error where `value` (the command as JSON reads it back) holds what Asterisk's JSON
 * parser refuses: chan_websocket.c `handle_command` reads with `ast_json_load_buf`, Jansson's
 * `json_loadb` without flags (main/json.c), whose src/load.c refuses U+0000 in a string or key
 * (no `JSON_ALLOW_NUL`), a lone surrogate's escape, and a whole number written in digits past a
 * 64-bit integer (JSON.stringify writes such up to 1e21). Asterisk answers ERROR "Unable to
 * parse JSON command" and does nothing of it: a pause command so written was taken as done here.
 */
function checkParsable(value: unknown, command: string): void {
  const refuse = (what: string): never => {
    throw new TransportError(
      "encode",
      `${PROVIDER}: ${command} with ${what}: Asterisk's JSON parser (Jansson) refuses it, and ` +
        "the command is not done",
    );
  };
  const text = (s: string) => {
    if (s.includes("\0")) refuse(`U+0000 in ${describe(s)}`);
    if (LONE_SURROGATE.test(s)) refuse(`a lone surrogate in ${describe(s)}`);
  };
  if (typeof value === "string") text(value);
  else if (typeof value === "number") {
    // The digits JSON.stringify writes, as Jansson's strtoll reads them: -(2 ** 63) is written
    // "-9223372036854776000", past the int64 range.
    const digits = String(value);
    if (
      /^-?\d+$/.test(digits) && (BigInt(digits) > INT64_MAX || BigInt(digits) < -INT64_MAX - 1n)
    ) {
      refuse(`the whole number ${digits}, past a 64-bit integer`);
    }
  } else if (Array.isArray(value)) { for (const item of value) checkParsable(item, command); }
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      text(key);
      checkParsable(item, command);
    }
  }
}

/** A `message` frame that names no command: an encode error. */
function notACommand(message: unknown): TransportError {
  return new TransportError(
    "encode",
    `${PROVIDER}: message ${describe(message)} is not a command: send a command's name ` +
      `("GET_STATUS") or an object { command, ...parameters }`,
  );
}

/** A `message` frame holding a command the serializer sends itself: an encode error. */
function ownCommand(command: string): TransportError {
  return new TransportError(
    "encode",
    `${PROVIDER}: ${command} goes as ${OWN_COMMANDS[command]}, not a message frame: the ` +
      "serializer keeps count of the marks, bulk transfers and partial frame it sends",
  );
}
