// G.711 μ-law for the phone line (Twilio Media Streams carry μ-law at 8 kHz), after the ITU-T
// G.191 reference code: 16-bit samples taken to 14 bits (negatives by one's complement), biased
// by 33, the segment from the highest set bit, four bits of mantissa, every bit inverted. Plain
// functions, so the page and a test (against the package's codec, itself checked against sox)
// run the same code.

/**
 * Encodes PCM16 samples as μ-law bytes.
 * @param {Int16Array} samples
 * @returns {Uint8Array}
 */
export function mulawEncode(samples) {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    let magnitude = (x < 0 ? ~x >> 2 : x >> 2) + 33;
    if (magnitude > 0x1fff) magnitude = 0x1fff;
    let segment = 1;
    for (let rest = magnitude >> 6; rest !== 0; rest >>= 1) segment++;
    const high = 8 - segment;
    const low = 0x0f - ((magnitude >> segment) & 0x0f);
    out[i] = (high << 4) | low | (x >= 0 ? 0x80 : 0);
  }
  return out;
}

/**
 * Decodes μ-law bytes to PCM16 samples (G.191's expansion: the 14-bit value, times 4).
 * @param {Uint8Array} bytes
 * @returns {Int16Array}
 */
export function mulawDecode(bytes) {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const code = bytes[i];
    const inverted = ~code & 0xff;
    const exponent = (inverted >> 4) & 0x07;
    const step = 4 << (exponent + 1);
    const magnitude = (0x80 << exponent) + step * (inverted & 0x0f) + step / 2 - 4 * 33;
    out[i] = code < 0x80 ? -magnitude : magnitude;
  }
  return out;
}
