/**
 * The README runner catches what it exists to catch: a block it cannot place, a server that does
 * not start, a session that does not do what the block says.
 */

import assert from "node:assert/strict";
import { codeBlocks } from "./_markdown.ts";
import { DETECTED_PLATFORMS, planBlocks } from "./_readme_plan.ts";
import { startBlock } from "./_readme_run.ts";
import { checkServer } from "./_session_checks.ts";

const DATE = "2026-05-01";

function markdown(...blocks: string[]): string {
  return blocks.map((block) => "Some text.\n\n" + block).join("\n\n");
}

Deno.test("`codeBlocks` finds fenced blocks, indented ones in lists too, with line and heading", () => {
  const text =
    "# Title\n\n## Node\n\n- A list item:\n\n  ```ts ignore (a fragment)\n  const a = 1;\n" +
    "    const b = 2;\n  ```\n\n```sh\nnode server.mjs\n```\n";
  assert.deepEqual(codeBlocks(text, "X.md"), [
    {
      file: "X.md",
      line: 7,
      lang: "ts",
      info: "ts ignore (a fragment)",
      code: "const a = 1;\n  const b = 2;\n",
      heading: "## Node",
    },
    {
      file: "X.md",
      line: 12,
      lang: "sh",
      info: "sh",
      code: "node server.mjs\n",
      heading: "## Node",
    },
  ]);
  assert.throws(() => codeBlocks("```ts\nopen", "Y.md"), /Y\.md:1: a code block is never closed/);
});

Deno.test("`planBlocks` places servers by runtime, reads their command, and fails a block it cannot place", () => {
  const blocks = codeBlocks(
    markdown(
      '```ts\nimport { upgrade } from "@x/ws-transport/deno";\nDeno.serve(async (r) => {\n' +
        '  const { transport, response } = await upgrade(r, { allowedOrigins: ["https://a.example"] });\n' +
        "  transport?.readable.pipeTo(transport.writable);\n  return response;\n});\n```",
      "```sh\nTOKEN=s3cret deno run --allow-net --allow-env=TOKEN main.ts # a comment\n```",
      "```ts ignore (a fragment)\nconst { upgradeWebSocket } = createNodeWebSocket({ app });\n```",
    ),
    "T.md",
  );
  const plan = planBlocks(blocks, DATE);
  assert.equal(plan.servers.length, 1);
  const [server] = plan.servers;
  assert.equal(server!.runtime, "deno run");
  assert.deepEqual(server!.denoFlags, ["--allow-net", "--allow-env=TOKEN"]);
  assert.equal(server!.allowedOrigin, "https://a.example");
  assert.equal(server!.session, "echo");
  assert.equal(plan.fragments.length, 1);
  assert.equal(plan.checks.length, 1, "a fragment is not type-checked");

  // A bot that neither pipes nor replies answers the caller its own way: a simulated call hears it.
  const silent = codeBlocks(
    markdown('```ts\nimport { upgrade } from "@x/ws-transport/deno";\nDeno.serve(upgrade);\n```'),
    "U.md",
  );
  assert.equal(planBlocks(silent, DATE).servers[0]!.session, "conversation");
  // Another platform's serializer: the caller simulator speaks its protocol.
  const telnyx = codeBlocks(
    markdown(
      '```ts\nimport { TelnyxSerializer } from "@x/ws-transport/telnyx";\nDeno.serve((r) => {\n' +
        "  const t = make(r, new TelnyxSerializer());\n  t.readable.pipeTo(t.writable);\n});\n```",
    ),
    "V.md",
  );
  assert.equal(planBlocks(telnyx, DATE).servers[0]!.wire, "telnyx");
  // A serializer nobody can speak to fails, naming it.
  const acme = codeBlocks(
    markdown(
      '```ts\nimport { AcmeSerializer } from "./acme.ts";\nDeno.serve((r) => {\n' +
        "  const t = make(r, new AcmeSerializer());\n  t.readable.pipeTo(t.writable);\n});\n```",
    ),
    "W.md",
  );
  assert.throws(
    () => planBlocks(acme, DATE),
    /W\.md:3: the README runner has no client for AcmeSerializer/,
  );
});

Deno.test("the Hono app's Node server is the README's own fragment when one follows the app", () => {
  const app =
    '```ts\nimport { Hono } from "hono";\nimport { upgradeWebSocket } from "hono/deno";\n' +
    "const app = new Hono();\n" +
    'app.get("/ws", voiceSession(upgradeWebSocket, (t) => t.readable.pipeTo(t.writable)));\n' +
    "export default app;\n```";
  const fragment = "```ts ignore (a fragment)\n" +
    'import { serve } from "@hono/node-server";\nimport { createNodeWebSocket } from "@hono/node-ws";\n' +
    "// … the app as above, with:\n" +
    "const { injectWebSocket, upgradeWebSocket, wss } = createNodeWebSocket({ app });\n" +
    "wss.options.maxPayload = 1 << 20;\ninjectWebSocket(serve({ fetch: app.fetch }));\n```";
  const nodeOf = (text: string) =>
    planBlocks(codeBlocks(text, "H.md"), DATE).servers.find((s) => s.runtime === "node")!;

  const withFragment = nodeOf(markdown(app, fragment));
  assert.match(withFragment.name, /the server of H\.md:\d+/);
  assert.match(
    withFragment.code,
    /^const app = new Hono\(\);\nconst \{ injectWebSocket, upgradeWebSocket, wss \}/m,
  );
  assert.match(withFragment.code, /^wss\.options\.maxPayload = 1 << 20;$/m);
  assert.doesNotMatch(withFragment.code, /hono\/deno|export default|the app as above/);
  // Without one, the least @hono/node-ws needs.
  assert.match(
    nodeOf(markdown(app)).code,
    /^injectWebSocket\(serve\(\{ fetch: app\.fetch, port: 8000 \}\)\);$/m,
  );
});

Deno.test("a README server that does not start, or whose sessions do not echo, fails", async () => {
  const [broken, lossy] = planBlocks(
    codeBlocks(
      markdown(
        // Imports a name the module does not export: it never listens.
        '```ts\nimport { upgrade, nothing } from "@x/ws-transport/deno";\nnothing();\n' +
          "Deno.serve(async (r) => {\n  const { transport, response } = await upgrade(r);\n" +
          "  transport?.readable.pipeTo(transport.writable);\n  return response;\n});\n```",
        // Echoes messages but drops audio.
        '```ts\nimport { upgrade } from "@x/ws-transport/deno";\n' +
          "Deno.serve(async (r) => {\n  const { transport, response } = await upgrade(r);\n" +
          '  transport?.readable.pipeThrough(new TransformStream({ transform(f, c) { if (f.type !== "audio") c.enqueue(f); } }))\n' +
          "    .pipeTo(transport.writable);\n  return response;\n});\n```",
      ),
      "W.md",
    ),
    DATE,
  ).servers;
  await assert.rejects(startBlock(broken!, {}), /ended before listening/);
  await using server = await startBlock(lossy!, {});
  await assert.rejects(checkServer(lossy!, server.port, "secret"), /the echo of 600 ms of audio/);
});

/** A one-endpoint server as the README's, whose Telnyx path is broken: told, then left unanswered. */
const DETECTING = '```ts\nimport { WebSocketTransport } from "@x/ws-transport";\n' +
  'import { detectProvider } from "@x/ws-transport/detect";\n' +
  "Deno.serve((request) => {\n  const { socket, response } = Deno.upgradeWebSocket(request);\n" +
  "  const seen: string[] = [];\n  socket.onmessage = (event) => {\n    seen.push(event.data);\n" +
  "    const detected = detectProvider(seen);\n" +
  '    if (!detected || detected.provider === "telnyx") return;\n    socket.onmessage = null;\n' +
  "    const transport = new WebSocketTransport(socket, {\n" +
  "      serializer: detected.serializer,\n      initialMessages: seen,\n    });\n" +
  '    transport.receive((frame) => {\n      if (frame.type === "audio") transport.send(frame);\n' +
  "    });\n  };\n  return response;\n});\n```";

Deno.test("a README server that detects the provider is called as every platform, and one it does not serve fails", async () => {
  const [server] = planBlocks(codeBlocks(markdown(DETECTING), "D.md"), DATE).servers;
  assert.equal(server!.wire, "twilio", "the runner's own Twilio client calls first");
  assert.deepEqual(
    server!.platforms.map((p) => p.protocol).sort(),
    Object.values(DETECTED_PLATFORMS).flat().map((p) => p.protocol).sort(),
  );
  // Two of the platforms, to keep it short: Telnyx's call hears nothing and is named; Plivo's is not.
  const plan = {
    ...server!,
    platforms: server!.platforms.filter((p) => ["telnyx", "plivo"].includes(p.protocol)),
  };
  await using running = await startBlock(plan, {});
  const error = await checkServer(plan, running.port, "secret").then(() => null, (e) => e);
  assert.ok(error instanceof Error, "the check fails");
  assert.match(error.message, /^telnyx: the caller hears the echo/m);
  assert.doesNotMatch(error.message, /^plivo:/m);
});
