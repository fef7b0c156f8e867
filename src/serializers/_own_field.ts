/**
 * {@linkcode setOwnField}: a start's parameters are named by the caller's application.
 *
 * @module
 */

/**
 * Sets `record[name] = value` as a field of the record's own, whatever `name` is: assigned, a
 * parameter named `__proto__` would reach `Object.prototype`'s setter, which ignores a string on
 * Node and Bun (ECMAScript B.2.2.1.2), and the parameter would be lost without a word.
 */
export function setOwnField(record: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(record, name, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
