/**
 * The form parameters a provider's webhook signature covers, read from a request's body: the part
 * of Twilio's and Plivo's checks that must not be skipped. A signature over the URL alone is also
 * what a request with no body gets (an upgrade, a GET webhook): a POST whose body the check did not
 * read could carry any fields under such a signature. Internal to the signature helpers.
 *
 * @module
 */

/**
 * The `name`/`value` pairs of a POST's form-encoded body, in the order sent; `[]` for a request
 * with no body (or an empty one); `null` for a body the signature cannot cover, so the caller
 * refuses it: one that is not a form (another content type, `multipart/form-data` included,
 * which providers do not sign), one on a method other than POST (providers post their forms),
 * or one already read (nothing left to check).
 */
export async function signedFormParams(request: Request): Promise<[string, string][] | null> {
  if (request.body === null) return [];
  if (request.bodyUsed) return null;
  const body = await request.clone().text();
  if (body === "") return [];
  if (request.method !== "POST") return null;
  // The media type, case-insensitive (RFC 9110 §8.3.1), without its parameters.
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return null;
  // Parsed as the application's `formData()` parses it: given a string, URLSearchParams drops a
  // leading "?", so a replayed body "?From=…" would verify as `From` and reach the application
  // as "?From". The "&" in front is an empty pair, skipped, and keeps the "?".
  return [...new URLSearchParams(`&${body}`)];
}

/** Order by name, then by value (code unit order, as the providers' own libraries sort). */
export function compareParams(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
