/**
 * The README files' code, run: every server block of README.md and examples/*\/README.md starts
 * on its runtime (Deno, Node, Bun, workerd; the Hono app on all four, changed as the README says)
 * and is driven by a real WebSocket client that sends audio and checks the echo or the documented
 * answer; every TypeScript block type-checks as a user with a checkout would compile it; any other
 * block runs to completion. Blocks are found, not listed: one added tomorrow is run too, and one
 * the runner cannot place fails until it is taught or marked `(a fragment)`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { codeBlocks, where } from "./_markdown.ts";
import { DETECTED_PLATFORMS, planBlocks, type ReadmePlan } from "./_readme_plan.ts";
import { projectDir, startBlock } from "./_readme_run.ts";
import { checkServer } from "./_session_checks.ts";
import { readWranglerToml } from "./_workerd.ts";

const ROOT = new URL("../../", import.meta.url);

/** README.md and every examples/<name>/README.md, as paths relative to the repository. */
async function readmeFiles(): Promise<string[]> {
  const files = ["README.md"];
  for await (const entry of Deno.readDir(new URL("examples/", ROOT))) {
    const file = `examples/${entry.name}/README.md`;
    if (entry.isDirectory && (await Deno.stat(new URL(file, ROOT)).catch(() => null))) {
      files.push(file);
    }
  }
  return files.sort();
}

/** The plan for every README, or why one of its blocks cannot be placed. */
async function readmePlan(): Promise<ReadmePlan> {
  // Worker blocks that show no wrangler.toml get the example's date: what `wrangler dev` uses.
  const toml = await Deno.readTextFile(new URL("examples/cloudflare/wrangler.toml", ROOT));
  const { compatibilityDate } = readWranglerToml(toml);
  const plan: ReadmePlan = { servers: [], scripts: [], checks: [], fragments: [] };
  for (const file of await readmeFiles()) {
    const part = planBlocks(
      codeBlocks(await Deno.readTextFile(new URL(file, ROOT)), file),
      compatibilityDate,
    );
    plan.servers.push(...part.servers);
    plan.scripts.push(...part.scripts);
    plan.checks.push(...part.checks);
    plan.fragments.push(...part.fragments);
  }
  return plan;
}

let plan: ReadmePlan;
try {
  plan = await readmePlan();
} catch (error) {
  plan = { servers: [], scripts: [], checks: [], fragments: [] };
  Deno.test("every README code block can be placed: run, type-checked or marked a fragment", () => {
    throw error;
  });
}

Deno.test("the README runner finds the servers the README shows", () => {
  // A floor, so a parser that silently finds nothing fails: README.md alone shows the Deno
  // adapter, a Twilio endpoint, Hono, Node, Bun and a Durable Object.
  const runtimes = new Set(plan.servers.map((server) => server.runtime));
  for (const runtime of ["deno serve", "deno run", "node", "bun", "workerd"] as const) {
    assert.ok(runtimes.has(runtime), `a ${runtime} server block is found`);
  }
  assert.ok(plan.servers.some((s) => s.wire === "twilio"), "a Twilio block is found");
  assert.ok(plan.servers.some((s) => s.block.file.startsWith("examples/")), "examples/ too");
  // The one-endpoint block (`detectProvider`) is called as every platform it tells apart.
  assert.ok(
    plan.servers.some((s) =>
      s.platforms.length === Object.values(DETECTED_PLATFORMS).flat().length
    ),
    "a block that detects the provider is found, to be called as every platform",
  );
});

Deno.test("README TypeScript blocks type-check in a project that uses the checkout", async () => {
  assert.ok(plan.checks.length >= 5, `found ${plan.checks.length} blocks to check`);
  const dir = await projectDir(Object.fromEntries(plan.checks.map((c) => [c.file, c.code])));
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "check",
        "--quiet",
        "--config",
        join(dir, "deno.json"),
        ...plan.checks.map((c) => c.file),
      ],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    // Each file is named after its block (README_md_<line>.ts): the errors say which block.
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const server of plan.servers) {
  Deno.test({
    name: `README server ${server.name} serves a real client`,
    // Miniflare leaves its own work behind after dispose (see miniflare_sanitizers.ts).
    ...(server.runtime === "workerd" ? miniflareSanitizers : {}),
    async fn() {
      const secret = crypto.randomUUID();
      await using running = await startBlock(
        server,
        Object.fromEntries(server.secrets.env.map((name) => [name, secret])),
      );
      try {
        await checkServer(server, running.port, secret);
      } catch (error) {
        throw new Error(
          `${where(server.block)}: ${(error as Error).message}\n${running.output()}`,
          {
            cause: error,
          },
        );
      }
    },
  });
}

for (const script of plan.scripts) {
  Deno.test(`README block ${where(script.block)} runs to completion`, async () => {
    const dir = await projectDir({ [script.file]: script.code });
    try {
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--config", join(dir, "deno.json"), script.file],
        cwd: dir,
        stdin: "null",
        signal: AbortSignal.timeout(60000),
      }).output();
      const output = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
      assert.equal(run.code, 0, output);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
