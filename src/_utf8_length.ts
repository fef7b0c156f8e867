/**
 * A text's size as UTF-8, counted rather than encoded: the inbound decoder measures a message
 * near its size limit (one over it may be huge, up to the runtime's own cap, so no copy of it is
 * made), and the caller simulator reports the bytes a text message takes on the wire.
 *
 * @module
 */

/** How many bytes `text` takes as UTF-8 (a lone surrogate as U+FFFD, as `TextEncoder` takes it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point beyond the BMP
      i++;
    } else bytes += 3;
  }
  return bytes;
}
