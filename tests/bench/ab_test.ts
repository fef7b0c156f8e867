import assert from "node:assert/strict";
import { DEMO_SEND_AHEAD_MS } from "../../examples/demo/handler.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function run(command: string, ...args: string[]) {
  const output = await new Deno.Command(command, { args, cwd: ROOT, stdin: "null" }).output();
  return {
    success: output.success,
    code: output.code,
    out: text(output.stdout),
    err: text(output.stderr),
  };
}

/** The short HEAD of this checkout, or undefined where it is no git checkout (or has no git). */
async function head(): Promise<string | undefined> {
  try {
    const r = await run("git", "rev-parse", "--short", "HEAD");
    return r.success ? r.out.trim() : undefined;
  } catch {
    return undefined;
  }
}

Deno.test("`ab.ts` runs a target beside a git revision of itself, sides swapped, and leaves no worktree", async () => {
  const revision = await head();
  // Two pairs of two sessions for a second: the output's shape is the point, not the figures.
  const ab = () =>
    run(
      Deno.execPath(),
      ...["run", "-A", "tests/bench/ab.ts", "--target", "bare", "--base", "HEAD"],
      ...["--runs", "2", "--sessions", "2", "--seconds", "1", "--start-spread-ms", "0"],
    );
  if (revision === undefined) {
    // A copy of the sources without git: the tool says what it needs, and stops.
    const r = await ab();
    assert.equal(r.code, 2);
    assert.match(r.err, /ab\.ts needs git and a git checkout with HEAD in it/);
    return;
  }
  const before = (await run("git", "worktree", "list")).out;
  const r = await ab();
  assert.ok(r.success, r.err);
  assert.match(
    r.out,
    new RegExp(`^# bare: this checkout against ${revision}, 2 sessions each`, "m"),
  );
  // So little load can use less CPU than /proc's 10 ms tick in a window: such a pair says so
  // and gives no ratio, rather than Infinity.
  const ratio = "(\\d+\\.\\d{3}|no ratio, a side under one CPU tick)";
  assert.match(
    r.out,
    new RegExp(`^run 1: ${ratio} \\(CPU s/session-min .*; loss 0 and 0\\)$`, "m"),
  );
  assert.match(r.out, new RegExp(`^run 2: ${ratio} `, "m"));
  assert.doesNotMatch(r.out, /Infinity|NaN/);
  assert.match(
    r.out,
    new RegExp(
      `^this checkout over ${revision}: (\\d+\\.\\d{3}× CPU, median of [12] pairs|no ratio)`,
      "m",
    ),
  );
  assert.equal((await run("git", "worktree", "list")).out, before, "the worktree is gone");
});

Deno.test("`ab.ts` bundles the Node adapter's echo from each side's files and removes the bundles", async () => {
  const revision = await head();
  if (revision === undefined) return; // no git: the test above covers what ab.ts says then
  // Where the bundles go: the system's temporary folder, as Deno.makeTempDir finds it.
  const probe = await Deno.makeTempDir();
  await Deno.remove(probe);
  const tmp = probe.slice(0, probe.lastIndexOf("/"));
  const bundles = async () => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(tmp)) {
      if (entry.name.startsWith("ws-transport-node-")) names.push(entry.name);
    }
    return names.sort();
  };
  const before = await bundles();
  const r = await run(
    Deno.execPath(),
    ...["run", "-A", "tests/bench/ab.ts", "--target", "node-push", "--base", "HEAD"],
    ...["--runs", "1", "--sessions", "2", "--seconds", "1", "--start-spread-ms", "0"],
  );
  assert.ok(r.success, r.err);
  assert.match(
    r.out,
    new RegExp(`^# node-push: this checkout against ${revision}, 2 sessions`, "m"),
  );
  assert.match(
    r.out,
    /^run 1: (\d+\.\d{3}|no ratio, a side under one CPU tick) \(CPU s\/session-min .*; loss 0 and 0\)$/m,
  );
  assert.deepEqual(await bundles(), before, "no bundle is left behind");
});

Deno.test("`ab.ts` runs the Bun adapter's echo on each side's own files", async () => {
  const revision = await head();
  if (revision === undefined) return; // no git: the first test covers what ab.ts says then
  const before = (await run("git", "worktree", "list")).out;
  const r = await run(
    Deno.execPath(),
    ...["run", "-A", "tests/bench/ab.ts", "--target", "bun-push", "--base", "HEAD"],
    ...["--runs", "1", "--sessions", "2", "--seconds", "1", "--start-spread-ms", "0"],
  );
  assert.ok(r.success, r.err);
  assert.match(
    r.out,
    new RegExp(`^# bun-push: this checkout against ${revision}, 2 sessions`, "m"),
  );
  // Bun runs the TypeScript of its own side: this checkout's, and the revision's worktree's.
  const echo = `tests/runtimes/bun/echo_server\\.ts --push --ahead-ms=${DEMO_SEND_AHEAD_MS}$`;
  assert.match(r.out, new RegExp(`^# this checkout: bun run ${ROOT}${echo}`, "m"));
  assert.match(
    r.out,
    new RegExp(`^# ${revision}: bun run /\\S+/ws-transport-ab-[^/]+/${echo}`, "m"),
  );
  assert.match(
    r.out,
    /^run 1: (\d+\.\d{3}|no ratio, a side under one CPU tick) \(CPU s\/session-min .*; loss 0 and 0\)$/m,
  );
  assert.equal((await run("git", "worktree", "list")).out, before, "the worktree is gone");
});

Deno.test("`ab.ts` names every target it knows when given one it does not, and makes no worktree", async () => {
  const before = (await run("git", "worktree", "list").catch(() => undefined))?.out;
  const r = await run(Deno.execPath(), "run", "-A", "tests/bench/ab.ts", "--target", "nginx");
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /^ab\.ts: unknown target "nginx": use demo, push, .*, node-push, node, bun-push, bun$/m,
  );
  assert.equal((await run("git", "worktree", "list").catch(() => undefined))?.out, before);
});
