/**
 * The body a provider's webhook signature covers, read from a request without letting its sender
 * decide how much is read: the bytes as sent (Telnyx; Twilio's `bodySHA256`), or the form
 * parameters (Twilio's and Plivo's checks, the part that must not be skipped). A signature over
 * the URL alone is also what a request with no body gets (an upgrade, a GET webhook): a POST whose
 * body the check did not read could carry any fields under such a signature. Internal to the
 * signature helpers.
 *
 * The checks run before anyone knows who sent the request, so every read is bounded: what can be
 * refused from the request line and headers (the method, the media type, a `Content-Length` over
 * the bound) is refused before a byte of the body is read, and the rest is read a chunk at a time
 * and given up as soon as it passes the bound. Without that, a signature-shaped header was enough
 * to make the server buffer a body of any size.
 *
 * @module
 */

/**
 * The default bound on a signed body, 1 MiB. Providers' webhook bodies are a few kilobytes (a
 * call's form parameters, one JSON event); the largest any of them documents is Twilio's 1 MB
 * (error 17564: a transcription status callback whose payload would exceed it is not sent).
 * Plivo and Telnyx document no size.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * `maxBodyBytes` from the options, checked: a non-negative safe integer, else a `RangeError`
 * naming it (the bound cannot be switched off).
 */
export function maxBodyBytesOption(maxBodyBytes: number | undefined): number {
  const bound = maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (typeof bound !== "number" || !Number.isSafeInteger(bound) || bound < 0) {
    throw new RangeError(
      `maxBodyBytes must be a non-negative integer number of bytes, got ${String(bound)}`,
    );
  }
  return bound;
}

/**
 * The bytes of `request`'s body as sent (no decoding: a byte-order mark or a byte that is not
 * UTF-8 stays as it came), read from a clone so the request stays readable; `null` when the body
 * cannot be checked: already read, or longer than `maxBytes` (by its `Content-Length`, then
 * not read at all, or as it streams, then given up a chunk past the bound).
 */
export async function signedBodyBytes(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (request.bodyUsed) return null;
  if (knownEmpty(request)) return new Uint8Array(0);
  const length = declaredLength(request);
  if (length !== undefined && length > maxBytes) return null;
  // A `Content-Length` within the bound is not trusted to end the body (a `Request` built in
  // code has headers of its own): the bound is kept as it streams, chunked or not.
  const reader = request.clone().body!.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) return null;
      chunks.push(value);
    }
  } finally {
    // Past the bound, the clone's side of the body is let go: the request keeps what was read
    // so far, queued for it, and the rest stays unread (the caller refuses it). Once the body
    // has ended, a no-op.
    reader.cancel().catch(() => {});
  }
  // One copy into one buffer at the end: joining as it streams would copy O(n²) bytes.
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/**
 * The `name`/`value` pairs of a POST's form-encoded body, in the order sent; `[]` for a request
 * with no body (none at all, or `Content-Length: 0`); `null` for a body the signature cannot
 * cover, so the caller refuses it: one that is not a form (another content type,
 * `multipart/form-data` included, which providers do not sign), one on a method other than POST
 * (providers post their forms; a WebSocket upgrade is a GET), one already read (nothing left to
 * check), or one longer than `maxBytes`. The method and media type are checked before any of the
 * body is read; a body of unknown length on another method is refused unread, not read to see
 * whether it is empty.
 */
export async function signedFormParams(
  request: Request,
  maxBytes: number,
): Promise<[string, string][] | null> {
  if (request.bodyUsed) return null;
  if (knownEmpty(request)) return [];
  if (request.method !== "POST") return null;
  // The media type, case-insensitive (RFC 9110 §8.3.1), without its parameters.
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return null;
  const body = await signedBodyBytes(request, maxBytes);
  if (body === null) return null;
  // Parsed as the application's `formData()` parses it: given a string, URLSearchParams drops a
  // leading "?", so a replayed body "?From=…" would verify as `From` and reach the application
  // as "?From". The "&" in front is an empty pair, skipped, and keeps the "?". A leading
  // byte-order mark is kept for the same reason: `formData()` decodes each name "without BOM"
  // (the URL Standard's form parser), so the application reads "\uFEFFFrom", where `text()`,
  // dropping it, would have verified `From`. Bytes not UTF-8 become U+FFFD either way.
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(body);
  return [...new URLSearchParams(`&${text}`)];
}

/** Order by name, then by value (code unit order, as the providers' own libraries sort). */
export function compareParams(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * Whether the request has no body to read, told without reading: none at all, or one it says
 * is empty (`Content-Length: 0`; workerd gives such a GET an empty body stream).
 */
function knownEmpty(request: Request): boolean {
  return request.body === null || declaredLength(request) === 0;
}

/** The request's `Content-Length` as a number; `undefined` when it has none or not one number. */
function declaredLength(request: Request): number | undefined {
  const length = request.headers.get("content-length")?.trim();
  // Digits only: a list ("5, 5"), a sign or a fraction is no length to go by; the body's own
  // end then bounds it as it streams.
  return length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
}
