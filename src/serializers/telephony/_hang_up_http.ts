/**
 * The HTTP side of a REST hang-up (`HangUp`): a request's headers read once and checked before
 * they are sent, a wait bounded by a signal, and an unsuccessful answer read (a bounded prefix of
 * its body, a redirect named) for the error message and the provider's `alreadyEnded`.
 *
 * @module
 */

import { thrownText } from "../../_thrown_text.ts";

/**
 * How much of an unsuccessful answer's body is read: its message shows the first 200 characters,
 * and `alreadyEnded` parses a provider's error (Twilio's code 20404, Telnyx's 90018: a few
 * hundred bytes of JSON). The rest is cancelled unread: a provider or a proxy answering an error
 * with a huge or endless body would otherwise be read, and held, until the timeout.
 */
const ERROR_BODY_BYTES = 16 * 1024;

/** How many characters of an unsuccessful answer's body its error message shows. */
const SHOWN_CHARS = 200;

/** A request's headers as {@linkcode readHeaders} read them, or why they cannot be sent. */
export type ReadHeaders =
  | { headers: HeadersInit | undefined; problem?: undefined }
  | { problem: string; cause?: unknown };

/**
 * `headers` read once, as `new Headers(headers)` reads them (Fetch's `HeadersInit`: an iterable of
 * name-value pairs — a list, a `Map`, a generator — else a record of own properties), into the
 * list of pairs that is then sent: read here and again by `fetch`, an iterable that hands every
 * reader the same iterator went without its headers. A `Headers` object (checked when made),
 * `undefined` and what is no object (`fetch` refuses it quoting no value) are sent as given.
 * Refused, naming no value (a header's value may be a credential, which `fetch`'s own errors
 * quote into a log): a value that, trimmed as `Headers` trims it, still holds a CR, LF or NUL
 * (RFC 9110 §5.5); a pair that is not a name and a value; a name or value no string can be made
 * of (converted as the Fetch standard's ByteString is, by ToString: a symbol fails); headers that
 * throw as they are read.
 */
export function readHeaders(headers: HeadersInit | undefined): ReadHeaders {
  if (typeof headers !== "object" || headers === null || headers instanceof Headers) {
    return { headers };
  }
  let entries: unknown[];
  try {
    entries = typeof (headers as Partial<Iterable<unknown>>)[Symbol.iterator] === "function"
      ? [...(headers as Iterable<unknown>)]
      : Object.entries(headers);
  } catch (cause) {
    return { problem: "its headers could not be read", cause };
  }
  const pairs: [string, string][] = [];
  for (const entry of entries) {
    const pair = isIterable(entry) ? [...entry] : undefined;
    if (pair?.length !== 2) {
      return { problem: "its headers hold a pair that is not a name and a value" };
    }
    let name: string, value: string;
    try {
      name = `${pair[0]}`;
      value = `${pair[1]}`;
    } catch (cause) {
      return { problem: "its headers hold a name or value no string can be made of", cause };
    }
    if (/[\0\r\n]/.test(value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ""))) {
      return {
        problem: `its ${name} header holds a line break or NUL, which no HTTP header may (the ` +
          "value is not shown: it may be a credential)",
      };
    }
    pairs.push([name, value]);
  }
  return { headers: pairs };
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === "function";
}

/** `promise`, or a rejection as soon as `signal` aborts; the listener is removed either way. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Lets go of what is left of a body unread (a `fetch`'s holds its connection until then). Nobody
 * waits for that, and the answer is in by then: a cancel that fails (a body errored already) or
 * throws (a hand-made `Response` from an injected fetch) must not turn the answer into an error.
 */
export function cancelUnread(body: { cancel(): Promise<void> } | null): void {
  try {
    body?.cancel().catch(() => {});
  } catch {
    // Thrown rather than rejected, which no stream of the Streams Standard does: see above.
  }
}

/** An unsuccessful answer, as far as it was read: see {@linkcode readErrorAnswer}. */
export interface ErrorAnswer {
  /** Its HTTP status (0 for a browser's redirect not followed). */
  status: number;
  /**
   * Its body's first {@linkcode ERROR_BODY_BYTES} (or what came before it broke off), parsed as
   * JSON, or as text when they are no JSON: what a provider's `alreadyEnded` judges.
   */
  body: unknown;
  /** The answer in words, for the error message: status, redirect, the body's start. */
  summary: string;
  /** Why the body broke off mid-read, if it did (the error's cause). */
  brokeOff: { reason: unknown } | undefined;
}

/**
 * Reads an unsuccessful answer: the first {@linkcode ERROR_BODY_BYTES} of its body, each read
 * bounded by `signal` (an abort rejects with its reason), the rest cancelled.
 */
export async function readErrorAnswer(
  response: Response,
  signal: AbortSignal,
): Promise<ErrorAnswer> {
  const { status } = response;
  const redirect = redirectNote(response);
  const { text, brokeOff } = await bodyPrefix(response.body, ERROR_BODY_BYTES, signal);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (or cut short): `alreadyEnded` sees the text as is.
  }
  const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 3)}...` : text;
  let summary = `HTTP ${status}${redirect} ${shown}`;
  if (brokeOff !== undefined) {
    summary = `${summary.trimEnd()} (its body broke off: ${thrownText(brokeOff.reason)})`;
  }
  return { status, body, summary, brokeOff };
}

/**
 * Words for a redirect not followed (the hang-up asks for `redirect: "manual"`), or "". A browser
 * hands over an opaque one, status 0 with no headers; Deno, Node and Cloudflare Workers the 3xx
 * itself ("returned to the caller as-is": Workers' docs, Runtime APIs, Request, `redirect`).
 */
function redirectNote(response: Response): string {
  const { status } = response;
  if (response.type !== "opaqueredirect" && (status < 300 || status >= 400)) return "";
  const to = response.headers.get("location");
  return ` (a redirect${to === null ? "" : ` to ${JSON.stringify(to)}`}, not followed)`;
}

/** What {@linkcode bodyPrefix} read. */
interface BodyPrefix {
  text: string;
  brokeOff: { reason: unknown } | undefined;
}

/**
 * The first `maxBytes` of `body` as text (UTF-8, as `Response.text` reads it; a character cut at
 * the end is left out), each read bounded by `signal`. What is left unread (past the prefix, or
 * at the timeout) is cancelled: a `fetch`'s body holds its connection until then. A body that
 * breaks off (a connection reset mid-answer) ends the prefix there: the status and what came
 * before are still the provider's answer.
 */
async function bodyPrefix(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal,
): Promise<BodyPrefix> {
  if (body === null) return { text: "", brokeOff: undefined };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let left = maxBytes;
  try {
    while (left > 0) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await abortable(reader.read(), signal);
      } catch (reason) {
        // The bound passed: the caller's timeout, not the body's fault.
        if (signal.aborted) throw reason;
        // Wrapped: a stream may error with no reason at all (`controller.error()`).
        return { text, brokeOff: { reason } };
      }
      if (read.done) return { text: text + decoder.decode(), brokeOff: undefined };
      const part = read.value.length > left ? read.value.subarray(0, left) : read.value;
      left -= part.length;
      text += decoder.decode(part, { stream: true });
    }
    return { text, brokeOff: undefined };
  } finally {
    cancelUnread(reader);
  }
}
