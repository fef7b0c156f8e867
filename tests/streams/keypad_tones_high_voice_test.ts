// A high or creaky voice's pitch periods (3 to 5 ms) leave a 1 ms slice at a window's end more
// than 10 dB under its loudest, as quiet as a gap after a keypad tone. Where such an end was left
// out of a window of 10 ms (the detector's default), the rest was judged in one block of 8 or 9
// ms, whose wider bands (1/T either side: KEYPAD_MIN_WINDOW_MS) took more of the voice's
// harmonics: such a window counted as a digit where the whole window did not, so a caller's speech
// was taken for keypad tones (quiet), and in loud noise it began seconds late. A tone of a digit
// (ITU-T Q.24: 40 ms at least) fills all of one window of 16 ms or less, so those are judged whole.
//
// The windows below (80 samples at 8 kHz) are from espeak-ng 1.51 and sox 14.4.2, over white
// noise at -60 dBFS RMS (tests/streams/_real_speech.ts, noise("white", 8000, ..., -60, 3)):
//   T="Pa. Ta. Ka. Ba. Da. Ga. Cut. Stop. Not. Hot pot. Box. Up, but what? Love, come on, done."
//   espeak-ng -v en-us+klatt3 -p 0 -s 170 -w a.wav "$T"   (the window at 210 ms)
//   espeak-ng -v en-us+Tweaky -p 99 -s 170 -w a.wav "$T"  (at 160 and at 3410 ms)
//   sox a.wav -r 8000 -c 1 -b 16 -e signed-integer b.wav sinc 300-3400 norm -6
import assert from "node:assert/strict";
import { KeypadTones } from "../../src/streams/_keypad_tones.ts";

// deno-fmt-ignore
const HIGH_VOICE_WINDOWS: Record<string, number[]> = {
  "klatt3, pitch 0, 210 ms": [
    543, 991, 1145, 492, -530, -341, 982, 2405, 2707, 1324,
    -995, -2804, -2869, -1147, 546, 677, -1316, -4141, -5216, -4321,
    -1791, 1367, 5031, 9437, 11055, 7783, 893, -6433, -9747, -8709,
    -3892, 1747, 4813, 5594, 4037, 1962, -501, -2106, -2341, -5388,
    -6894, -5660, -3239, 2611, 7563, 9263, 7679, 3433, -870, -3693,
    -4024, -4028, -4011, -2978, -1914, 815, 3577, 4653, 4056, 1562,
    -1086, -3112, -3350, -2757, -1845, -219, 1143, 2648, 3218, 2725,
    1528, -749, -2106, -2713, -3167, -2889, -2024, -79, 4291, 8445,
  ],
  "Tweaky, pitch 99, 160 ms": [
    4722, 3019, 679, -106, 1292, 1782, -1029, -5328, -7347, -2764,
    5618, 11789, 9709, -171, -10003, -12895, -6751, 878, 3865, 335,
    -3737, -1637, 5598, 12580, 10986, 1713, -8674, -12215, -6692, 1694,
    7187, 5849, 1531, -1568, -1432, 191, -421, -2848, -5016, -3386,
    1118, 5470, 5518, 1034, -4602, -6928, -3280, 2148, 5728, 4556,
    1391, -200, 734, 2239, 49, -4515, -8284, -5367, 3504, 11976,
    12869, 3392, -8458, -14661, -10217, -1145, 4159, 2362, -3339, -3465,
    2988, 12018, 13983, 5922, -5953, -13421, -10261, -1263, 6648, 7632,
  ],
  "Tweaky, pitch 99, 3410 ms": [
    8098, 14466, 10491, -787, -11473, -12916, -5459, 4013, 8495, 5609,
    580, -2250, -1358, -25, -1042, -3783, -5197, -2269, 2648, 5934,
    3902, -1231, -4867, -4405, -328, 3704, 4352, 2144, 142, 280,
    1907, 1186, -2477, -6820, -6538, 141, 8622, 12308, 6511, -4345,
    -12285, -11413, -3596, 2864, 3067, -1783, -3792, 923, 9236, 13322,
    7774, -3157, -11652, -10837, -3069, 5116, 7582, 4158, -210, -2091,
    -840, 79, -1321, -3883, -4424, -1301, 3344, 5447, 2974, -2314,
    -6126, -4446, 662, 4871, 4919, 1985, 151, 531, 2372, 867,
  ],
};

Deno.test("a window of 10 ms of a high or creaky voice with a quiet end is no keypad tone", () => {
  const taken: string[] = [];
  for (const [name, samples] of Object.entries(HIGH_VOICE_WINDOWS)) {
    assert.equal(samples.length, 80, name);
    if (new KeypadTones(8000, 10).holdsDigit(Float64Array.from(samples))) taken.push(name);
  }
  assert.deepEqual(taken, []);
});
