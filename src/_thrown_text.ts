/**
 * Words for whatever was thrown, for an error message that names the cause.
 *
 * @module
 */

/**
 * `String(cause)`, but never throwing: user code (a serializer, a handler, a socket) may throw a
 * value that has no string form (`Object.create(null)`, an object whose `toString` throws, a
 * revoked proxy), and the handler that reports it must not throw in turn: in a socket's listener
 * that would end the process, and every call in it.
 */
export function thrownText(cause: unknown): string {
  try {
    return String(cause);
  } catch {
    try {
      return Object.prototype.toString.call(cause);
    } catch {
      return "a value that cannot be printed";
    }
  }
}
