/**
 * `Object.prototype.__proto__` as Node and Bun have it, for a test run on Deno.
 *
 * @module
 */

/**
 * Runs `read` with `Object.prototype.__proto__` as Node and Bun have it (ECMAScript B.2.2.1.2: its
 * setter ignores a value that is not an object), not as Deno's, which defines an own field.
 */
export function withStandardProtoSetter<T>(read: () => T): T {
  const own = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__");
  Object.defineProperty(Object.prototype, "__proto__", {
    configurable: true,
    get(this: object) {
      return Object.getPrototypeOf(this);
    },
    set(this: object, proto: unknown) {
      if (typeof proto === "object" || typeof proto === "function") {
        Object.setPrototypeOf(this, proto);
      }
    },
  });
  try {
    return read();
  } finally {
    if (own !== undefined) Object.defineProperty(Object.prototype, "__proto__", own);
  }
}
