import assert from "node:assert/strict";
import { ELLIPTIC_FILTERS } from "../../src/audio/_elliptic_filters.ts";
import { ellipticDelay, ellipticFilter } from "../../src/audio/_elliptic_filter.ts";

/** |H(e^{jω})| of a table of `ELLIPTIC_FILTERS`, evaluated section by section. */
function cascadeGain(table: Float64Array, omega: number): number {
  let gain = Math.abs(table[0]!);
  const c1r = Math.cos(omega), s1 = Math.sin(omega);
  const c2r = Math.cos(2 * omega), s2 = Math.sin(2 * omega);
  for (let s = 1; s < table.length; s += 3) {
    const a1 = table[s]!, a2 = table[s + 1]!, c1 = table[s + 2]!;
    // 1 + x·e^{−jω} + y·e^{−2jω}
    const num = Math.hypot(1 + c1 * c1r + c2r, -c1 * s1 - s2);
    const den = Math.hypot(1 + a1 * c1r + a2 * c2r, -a1 * s1 - a2 * s2);
    gain *= num / den;
  }
  return gain;
}

/** H(e^{jω}) of a polynomial Σ pₖ·z^−(k·stride), as [re, im]. */
function polynomial(p: ArrayLike<number>, omega: number, stride = 1): [number, number] {
  let re = 0, im = 0;
  for (let k = 0; k < p.length; k++) {
    re += p[k]! * Math.cos(k * stride * omega);
    im -= p[k]! * Math.sin(k * stride * omega);
  }
  return [re, im];
}

const db = (x: number) => 20 * Math.log10(x);

Deno.test("elliptic tables: ±0.03 dB to 85 % of the lower Nyquist, ≥ 100 dB down from 99.5 %", () => {
  for (const [k, table] of ELLIPTIC_FILTERS) {
    assert.equal(table.length, 1 + 3 * 6);
    // ω in radians per sample of the rate the filter runs at, K times the lower rate.
    const nyquist = Math.PI / k;
    let lo = Infinity, hi = -Infinity, stop = -Infinity;
    for (let i = 0; i <= 4000; i++) {
      const pass = db(cascadeGain(table, (0.85 * nyquist * i) / 4000));
      lo = Math.min(lo, pass);
      hi = Math.max(hi, pass);
      const omega = 0.995 * nyquist + ((Math.PI - 0.995 * nyquist) * i) / 4000;
      stop = Math.max(stop, db(cascadeGain(table, omega)));
    }
    assert.ok(lo >= -0.03 && hi <= 0.03, `K = ${k}: pass band ${lo} … ${hi} dB`);
    assert.ok(stop <= -100, `K = ${k}: stop band ${stop} dB`);
  }
});

Deno.test("elliptic tables: every section is stable", () => {
  for (const [k, table] of ELLIPTIC_FILTERS) {
    for (let s = 1; s < table.length; s += 3) {
      const a1 = table[s]!, a2 = table[s + 1]!;
      // Both roots of z² + a1·z + a2 inside the unit circle (the stability triangle).
      assert.ok(Math.abs(a2) < 1 && Math.abs(a1) < 1 + a2, `K = ${k}, section ${(s - 1) / 3}`);
    }
  }
});

Deno.test("ellipticFilter: the FIR + all-pole split has the cascade's response", () => {
  for (const [up, down] of [[1, 2], [2, 1], [1, 3], [3, 1], [1, 6], [6, 1]]) {
    const m = Math.max(up!, down!);
    const table = ELLIPTIC_FILTERS.get(m)!;
    const filter = ellipticFilter(up!, down!);
    // Rebuild the numerator N from the polyphase table (see _elliptic_filter.ts for the layout).
    const numerator = new Float64Array(filter.up * filter.taps);
    if (down === 1) {
      for (let r = 0; r < up!; r++) {
        for (let t = 0; t < filter.taps; t++) {
          const n = r + t * up!;
          numerator[n] = filter.coefficients[r * filter.taps + filter.taps - 1 - t]! / up!;
        }
      }
    } else {
      for (let i = 0; i < filter.taps; i++) {
        numerator[i] = filter.coefficients[filter.taps - 1 - i]!;
      }
    }
    let worst = 0;
    for (let i = 0; i <= 2000; i++) {
      const omega = (Math.PI * i) / 2000;
      let [re, im] = polynomial(numerator, omega);
      for (let s = 0; s < 6; s++) {
        const [dr, di] = polynomial([1, filter.poles[2 * s]!, filter.poles[2 * s + 1]!], omega, m);
        const d = dr * dr + di * di;
        [re, im] = [(re * dr + im * di) / d, (im * dr - re * di) / d];
      }
      worst = Math.max(worst, Math.abs(Math.hypot(re, im) - cascadeGain(table, omega)));
    }
    assert.ok(worst < 1e-9, `${up}/${down}: differs by ${worst}`);
  }
});

Deno.test("ellipticDelay: 2.4–2.7 samples of the lower rate at 0 Hz", () => {
  for (const k of ELLIPTIC_FILTERS.keys()) {
    const delay = ellipticDelay(k) / k;
    assert.ok(delay > 2.4 && delay < 2.7, `K = ${k}: ${delay}`);
  }
});
