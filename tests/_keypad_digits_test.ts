import assert from "node:assert/strict";
import { isKeypadDigit, isPhoneDigit } from "../src/_keypad_digits.ts";

const PHONE = [..."0123456789*#"];
const LETTERS = [..."ABCD"];
const NEITHER = ["", "a", "d", "E", "w", "12", "1 ", " ", "**", "\n1", "1\n"];

Deno.test("`isKeypadDigit` takes the sixteen DTMF keys as a dtmf frame spells them, one at a time", () => {
  for (const digit of [...PHONE, ...LETTERS]) assert.equal(isKeypadDigit(digit), true, digit);
  for (const digit of NEITHER) assert.equal(isKeypadDigit(digit), false, JSON.stringify(digit));
});

Deno.test("`isPhoneDigit` takes the telephone keypad's twelve, not the letters A-D", () => {
  for (const digit of PHONE) assert.equal(isPhoneDigit(digit), true, digit);
  for (const digit of [...LETTERS, ...NEITHER]) {
    assert.equal(isPhoneDigit(digit), false, JSON.stringify(digit));
  }
});
