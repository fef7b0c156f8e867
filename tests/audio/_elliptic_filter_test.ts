import assert from "node:assert/strict";
import { DECIMATION_FILTERS, ELLIPTIC_FILTERS } from "../../src/audio/_elliptic_filters.ts";
import { ellipticDelay, ellipticFilter, ellipticTable } from "../../src/audio/_elliptic_filter.ts";

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

/** Each table set with the ripple and the stop band it promises. */
const sets = [
  { name: "ELLIPTIC_FILTERS", tables: ELLIPTIC_FILTERS, sections: 6, ripple: 0.025, stop: -100 },
  { name: "DECIMATION_FILTERS", tables: DECIMATION_FILTERS, sections: 5, ripple: 0.04, stop: -84 },
];

Deno.test("elliptic tables: flat to 85 % of the lower Nyquist, 84–113 dB down from 99.5 %", () => {
  for (const { name, tables, sections, ripple, stop } of sets) {
    for (const [k, table] of tables) {
      assert.equal(table.length, 1 + 3 * sections);
      // ω in radians per sample of the rate the filter runs at, K times the lower rate.
      const nyquist = Math.PI / k;
      let lo = Infinity, hi = -Infinity, leak = -Infinity;
      for (let i = 0; i <= 4000; i++) {
        const pass = db(cascadeGain(table, (0.85 * nyquist * i) / 4000));
        lo = Math.min(lo, pass);
        hi = Math.max(hi, pass);
        const omega = 0.995 * nyquist + ((Math.PI - 0.995 * nyquist) * i) / 4000;
        leak = Math.max(leak, db(cascadeGain(table, omega)));
      }
      const bound = ripple + 0.005;
      assert.ok(lo >= -bound && hi <= bound, `${name} K = ${k}: pass band ${lo} … ${hi} dB`);
      assert.ok(leak <= stop, `${name} K = ${k}: stop band ${leak} dB`);
    }
  }
});

Deno.test("elliptic tables: every section is stable", () => {
  for (const [k, table] of [...ELLIPTIC_FILTERS, ...DECIMATION_FILTERS]) {
    for (let s = 1; s < table.length; s += 3) {
      const a1 = table[s]!, a2 = table[s + 1]!;
      // Both roots of z² + a1·z + a2 inside the unit circle (the stability triangle).
      assert.ok(Math.abs(a2) < 1 && Math.abs(a1) < 1 + a2, `K = ${k}, section ${(s - 1) / 3}`);
    }
  }
});

Deno.test("ellipticFilter: the FIR + all-pole split has the cascade's response", () => {
  for (const [up, down] of [[1, 2], [2, 1], [1, 3], [3, 1], [1, 6], [6, 1], [3, 2], [2, 3]]) {
    // The recursion is stretched by `down` going down, by `up` otherwise.
    const m = up === 1 ? down! : up!;
    const table = ellipticTable(up!, down!)!;
    const filter = ellipticFilter(up!, down!);
    // Rebuild the numerator N from the polyphase table (see _elliptic_filter.ts for the layout).
    const numerator = new Float64Array(filter.up * filter.taps);
    if (up !== 1) {
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
      for (let s = 0; s < filter.poles.length / 2; s++) {
        const [dr, di] = polynomial([1, filter.poles[2 * s]!, filter.poles[2 * s + 1]!], omega, m);
        const d = dr * dr + di * di;
        [re, im] = [(re * dr + im * di) / d, (im * dr - re * di) / d];
      }
      worst = Math.max(worst, Math.abs(Math.hypot(re, im) - cascadeGain(table, omega)));
    }
    assert.ok(worst < 1e-9, `${up}/${down}: differs by ${worst}`);
  }
});

Deno.test("ellipticDelay: 1.9–2.7 samples of the lower rate at 0 Hz", () => {
  for (const [k, table] of [...ELLIPTIC_FILTERS, ...DECIMATION_FILTERS]) {
    const delay = ellipticDelay(table) / k;
    assert.ok(delay > 1.9 && delay < 2.7, `K = ${k}: ${delay}`);
  }
});
