/**
 * `deno doc --lint` over every entry point `deno.json` exports, so a new subpath is linted the
 * day it is exported, with no list to keep in step. Run by `deno task check`.
 *
 * @module
 */

const root = new URL("../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as {
  exports: string | Record<string, string>;
};
const entryPoints = typeof config.exports === "string"
  ? [config.exports]
  : Object.values(config.exports);
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...entryPoints],
  cwd: root,
}).spawn().status;
Deno.exit(code);
