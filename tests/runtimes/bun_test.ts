import { fileURLToPath as fromFileUrl } from "node:url";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { assertRefusesHugeMessage } from "./behaviour/huge_message.ts";
import { behaviourSuite } from "./behaviour/suite.ts";
import { startChild } from "./node/child_runtime.ts";

/**
 * The `bun` binary from npm. The `bun` package's launcher is written by an install script Deno
 * does not run; the platform package it depends on carries the binary itself.
 */
const BUN = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

Deno.test(`\`upgrade\` on Bun ${bunPackage.version} passes the behavioural suite`, async (t) => {
  const server = await startChild(BUN, [
    "run",
    fromFileUrl(import.meta.resolve("./bun/server.ts")),
  ]);
  try {
    await behaviourSuite(t, { port: server.port });
  } finally {
    await server.close();
  }
});

Deno.test(`\`upgrade\` on Bun ${bunPackage.version} refuses a 60 MB message with 1009 before Bun buffers it`, async () => {
  const server = await startChild(BUN, [
    "run",
    fromFileUrl(import.meta.resolve("./bun/server.ts")),
  ]);
  try {
    await assertRefusesHugeMessage(server.port, server.pid);
  } finally {
    await server.close();
  }
});
