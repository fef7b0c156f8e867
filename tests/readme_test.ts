import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/**
 * The README's server examples are marked `ignore` (running them would start servers), so this
 * type-checks them instead: every ```ts block, as its own module, against the package's import map.
 */
Deno.test("README's TypeScript examples type-check", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const blocks = [...readme.matchAll(/```ts(?: ignore)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 3, `found ${blocks.length} TypeScript blocks`);
  const dir = await Deno.makeTempDir({ prefix: "readme_check_" });
  try {
    // The one local module the examples import: a bot, as users would write their own.
    await Deno.writeTextFile(
      `${dir}/bot.ts`,
      'import type { Frame } from "@x/ws-transport";\n' +
        "export function myBot(): TransformStream<Frame, Frame> {\n  return new TransformStream();\n}\n",
    );
    const files = [];
    for (const [i, code] of blocks.entries()) {
      const file = `${dir}/block_${i}.ts`;
      await Deno.writeTextFile(file, code);
      files.push(file);
    }
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", new URL("deno.json", root).pathname, ...files],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
