import assert from "node:assert/strict";
import { dirname } from "node:path";
import { assertRefusesHugeMessage } from "./behaviour/huge_message.ts";
import { behaviourSuite } from "./behaviour/suite.ts";
import { bundleForNode, startChild } from "./node/child_runtime.ts";

Deno.test("`upgradeHandler` on Node (node:http + ws), bundled to JavaScript, passes the behavioural suite", async (t) => {
  const bundle = await bundleForNode(import.meta.resolve("./node/server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    await behaviourSuite(t, { port: server.port, keepAlive: true, sessionCallback: true });
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("`upgradeHandler` on Node refuses a 60 MB message with 1009 before `ws` buffers it", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    await assertRefusesHugeMessage(server.port, server.pid);
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("every entry point of the module loads and runs under Node as bundled JavaScript", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/whole_module.ts"));
  try {
    const run = await new Deno.Command("node", { args: [bundle], stdin: "null" }).output();
    const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, out);
    assert.match(out, /^ok 7$/m);
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
