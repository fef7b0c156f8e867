// package.json (how Node and Bun consume a checkout) and deno.json (JSR) export the same subpaths,
// and npm's scripts run what Deno's tasks run.
import assert from "node:assert/strict";

Deno.test("package.json exports every subpath deno.json does, to the same file", async () => {
  const deno = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const npm = JSON.parse(await Deno.readTextFile(new URL("../package.json", import.meta.url)));
  assert.deepEqual(npm.exports, deno.exports);
});

Deno.test("npm start and npm run simulate run the deno tasks' own command lines, not deno task", async () => {
  // `deno task` installs every package deno.lock lists before it runs a task's command (some
  // 650 MB on an empty cache: workerd, Bun, Chromium's driver, for the tests); the demo and the
  // simulator import no npm package, so npm runs their command lines itself and fetches nothing.
  const deno = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const npm = JSON.parse(await Deno.readTextFile(new URL("../package.json", import.meta.url)));
  for (const name of ["start", "simulate"]) {
    assert.equal(npm.scripts[name], deno.tasks[name], `npm's ${name} runs deno.json's task`);
  }
});
