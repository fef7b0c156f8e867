// The keypad test runs only at rates where every one of its filters lies under half the rate. The
// highest filter stands 0.75 % over the keypad's highest tone (1,633 Hz, ITU-T Q.23): 1,645.2 Hz,
// so rates up to 3,290 Hz go untested. At 3,267–3,290 Hz that filter was over half the rate, its
// coefficient that of a tone folded back under it, and the test ran all the same.
import assert from "node:assert/strict";
import { KeypadTones } from "../../src/streams/_keypad_tones.ts";

Deno.test("KeypadTones tests a window only where its highest filter is under half the rate", () => {
  for (const rate of [3267, 3280, 3290]) {
    assert.equal(new KeypadTones(rate, 20).tested, false, `${rate} Hz`);
  }
  for (const rate of [3291, 4000, 8000, 16000]) {
    assert.equal(new KeypadTones(rate, 20).tested, true, `${rate} Hz`);
  }
});
