// package.json (how Node and Bun consume a checkout) and deno.json (JSR) export the same subpaths.
import assert from "node:assert/strict";

Deno.test("package.json exports every subpath deno.json does, to the same file", async () => {
  const deno = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const npm = JSON.parse(await Deno.readTextFile(new URL("../package.json", import.meta.url)));
  assert.deepEqual(npm.exports, deno.exports);
});
