/**
 * The HTTP side of a REST hang-up (`HangUp`): a request's headers checked before it is sent, a
 * wait bounded by a signal, and an unsuccessful answer read (a bounded prefix of its body, a
 * redirect named) for the error message and the provider's `alreadyEnded`.
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

/**
 * The name of a header in `headers` whose value, trimmed as `Headers` trims it, still holds a
 * CR, LF or NUL (which `Headers` refuses, with an error quoting the value), if any. Read as
 * `new Headers(headers)` reads it (Fetch's `HeadersInit`: an iterable of name-value pairs, else a
 * record of own properties), so a `Map` (in Deno's types a `HeadersInit`, an `Iterable`) is seen
 * through, not read as a record with no properties. A `Headers` object was checked when made. A
 * value that is no string is made one as `Headers` makes it (a symbol is none). Left to `fetch`:
 * what is no object (no `HeadersInit`: its error quotes no value); what cannot be read (a value
 * no string can be made of, an iterator or getter that throws), which `fetch` cannot read either:
 * its own error fails the request as any failure to send does, a protocol error, where one thrown
 * here was no `TransportError`; and the forms only one reader may read: an iterable that hands
 * every reader the same iterator (a generator, a `Map`'s `entries()`, an object wrapping one),
 * and a pair that is no array (it may be one). Read here, `fetch` would send the request without
 * them.
 */
export function unsendableHeader(headers: HeadersInit | undefined): string | undefined {
  if (typeof headers !== "object" || headers === null || headers instanceof Headers) {
    return undefined;
  }
  try {
    return unsendableIn(headers);
  } catch {
    return undefined; // see above: fetch fails on it too, quoting no value
  }
}

/** {@linkcode unsendableHeader} of an object, which may throw where it cannot be read. */
function unsendableIn(headers: object): string | undefined {
  const iterate = (headers as Partial<Iterable<unknown>>)[Symbol.iterator];
  let pairs: Iterable<unknown>;
  if (typeof iterate === "function") {
    // Read only where a second reader gets an iterator of its own: one handed to both, read
    // here, would be used up before fetch reads it.
    const iterator = iterate.call(headers);
    if (iterator === iterate.call(headers)) return undefined;
    pairs = { [Symbol.iterator]: () => iterator };
  } else {
    pairs = Object.entries(headers);
  }
  for (const pair of pairs) {
    if (!Array.isArray(pair)) continue;
    const [name, value] = pair;
    // A template literal converts as the Fetch standard's ByteString does (ToString: a symbol
    // throws), where `String()` would name a symbol.
    if (/[\0\r\n]/.test(`${value}`.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ""))) {
      return String(name);
    }
  }
  return undefined;
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
