/**
 * One load target in two builds, side by side: this checkout against a git revision of it (a
 * temporary worktree), each run of the pair let go at one moment (`runPair` of `load.ts`), the
 * sides swapped every run, judged by this checkout's CPU over the revision's within each pair.
 * The way to tell whether a change to the hot path made a server cheaper by a few per cent, which
 * runs one after another on this shared machine cannot.
 *
 * ```sh
 * npx deno run -A tests/bench/ab.ts --target push --base HEAD~1 [--runs 8] [--sessions 100] \
 *   [--seconds 10] [--start-spread-ms 2000]
 * ```
 *
 * Targets: `load.ts`'s (`load.ts --help` lists them), run by this checkout's Deno on each side's
 * files; `node-push` / `node`, the Node adapter's echo of `load_runtimes.ts` on the push surface or
 * through the streams, 60 ms ahead, bundled by esbuild from each side's files and run by `node`;
 * and `bun-push` / `bun`, the Bun adapter's echo likewise, each side's TypeScript run by the Bun
 * of deno.json's `@oven/bun-linux-x64`. A side older than 8eaf961 runs those echoes at their own
 * lead (they read no `--ahead-ms` then). Each side's command is printed before the runs. Needs
 * `git`; the worktree and the bundles are removed at the end.
 *
 * @module
 */

import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath as fromFileUrl, pathToFileURL } from "node:url";
import { DEMO_SEND_AHEAD_MS } from "../../examples/demo/handler.ts";
import {
  killChildren,
  knownTarget,
  median,
  runPair,
  TARGET_NAMES,
  type TargetSpec,
} from "./load.ts";
import { bundleForNode } from "../runtimes/node/child_runtime.ts";

type ServerCommand = TargetSpec["command"];
/** One side's server command, built from that side's checkout (`root`). */
type SideCommand = (root: string) => ServerCommand | Promise<ServerCommand>;

const AHEAD = `--ahead-ms=${DEMO_SEND_AHEAD_MS}`;
/** The bundles made for Node, removed at the end. */
const bundles: string[] = [];

/** Node runs the side's echo bundled, as npm users get the module (JavaScript, ESM). */
async function nodeEcho(root: string, args: string[]): Promise<ServerCommand> {
  const entry = join(root, "tests/runtimes/node/echo_server_node.ts");
  const bundle = await bundleForNode(pathToFileURL(entry).href);
  bundles.push(bundle);
  return ["node", bundle, ...args];
}

/**
 * Bun runs the side's TypeScript itself, as it runs the package's sources. Its binary comes from
 * the platform package (as `tests/runtimes/bun_test.ts` finds it): the `bun` package's launcher
 * is written by an install script Deno does not run.
 */
function bunEcho(root: string, args: string[]): ServerCommand {
  const bun = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
    .replace(/package\.json$/, "bin/bun");
  return [bun, "run", join(root, "tests/runtimes/bun/echo_server.ts"), ...args];
}

/**
 * The other runtimes' targets: each adapter's echo of `load_runtimes.ts`, on the push surface or
 * through the streams, at the demo's lead.
 */
const RUNTIME_TARGETS: Record<string, SideCommand> = {
  "node-push": (root) => nodeEcho(root, ["--push", AHEAD]),
  node: (root) => nodeEcho(root, [AHEAD]),
  "bun-push": (root) => bunEcho(root, ["--push", AHEAD]),
  bun: (root) => bunEcho(root, [AHEAD]),
};

const { values } = parseArgs({
  args: Deno.args,
  options: {
    target: { type: "string", default: "push" },
    base: { type: "string", default: "HEAD" },
    runs: { type: "string", default: "8" },
    sessions: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    "start-spread-ms": { type: "string", default: "2000" },
  },
});
const ROOT = new URL("../../", import.meta.url).pathname;

async function git(...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd: ROOT }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return text;
}

const runtimeTarget = RUNTIME_TARGETS[values.target];
if (runtimeTarget === undefined && !TARGET_NAMES.includes(values.target)) {
  // Before the worktree is made: a typo leaves nothing behind.
  const names = [...TARGET_NAMES, ...Object.keys(RUNTIME_TARGETS)];
  console.error(`ab.ts: unknown target "${values.target}": use ${names.join(", ")}`);
  Deno.exit(2);
}

let revision: string;
try {
  revision = await git("rev-parse", "--short", values.base);
} catch (error) {
  console.error(`ab.ts needs git and a git checkout with ${values.base} in it: ${error}`);
  Deno.exit(2);
}
const worktree = await Deno.makeTempDir({ prefix: "ws-transport-ab-" });
await git("worktree", "add", "--detach", worktree, revision);
try {
  let current: TargetSpec;
  let base: TargetSpec;
  if (runtimeTarget !== undefined) {
    // Each side's server from its own files; one esbuild at a time.
    const side = async (name: string, root: string): Promise<TargetSpec> => ({
      name,
      command: await runtimeTarget(root),
      path: "/ws",
    });
    current = await side("this checkout", ROOT);
    base = await side(revision, worktree);
  } else {
    current = { ...knownTarget(values.target), name: "this checkout" };
    // The same program (this checkout's Deno) on the revision's files.
    const [program, ...args] = current.command;
    base = {
      ...current,
      name: revision,
      command: [
        program,
        ...args.map((arg) => arg.startsWith(ROOT) ? `${worktree}/${arg.slice(ROOT.length)}` : arg),
      ],
    };
  }
  const options = {
    sessions: Number(values.sessions),
    seconds: Number(values.seconds),
    startSpreadMs: Number(values["start-spread-ms"]),
  };
  console.log(
    `# ${values.target}: this checkout against ${revision}, ${options.sessions} sessions each, ` +
      `${options.seconds} s windows; loadavg at start ${Deno.loadavg().join(" ")}`,
  );
  // Which files each side runs, to be seen: an A/B of one build against itself says 1.000.
  for (const { name, command: [program, ...args] } of [current, base]) {
    console.log(`# ${name}: ${basename(program)} ${args.join(" ")}`);
  }
  const ratios: number[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    // Swapped every run: neither build always starts first.
    const swapped = run % 2 === 0;
    const pair = swapped
      ? await runPair(current, base, options)
      : await runPair(base, current, options);
    const ours = swapped ? pair.reference : pair.target;
    const theirs = swapped ? pair.target : pair.reference;
    // runPair's ratio, turned round when this checkout was the reference; NaN where a side used
    // less than /proc's 10 ms tick in its window: such a pair says nothing and is left out.
    const ratio = swapped ? 1 / pair.cpuRatio : pair.cpuRatio;
    const measured = !Number.isNaN(ratio);
    if (measured) ratios.push(ratio);
    console.log(
      `run ${run}: ${measured ? ratio.toFixed(3) : "no ratio, a side under one CPU tick"} ` +
        `(CPU s/session-min ${ours.cpuPerSessionMinute.toFixed(4)} ` +
        `against ${theirs.cpuPerSessionMinute.toFixed(4)}; p99 ${ours.p99Ms.toFixed(1)} against ` +
        `${theirs.p99Ms.toFixed(1)} ms; loss ${ours.loss} and ${theirs.loss})`,
    );
  }
  console.log(
    ratios.length === 0
      ? `this checkout over ${revision}: no ratio, every pair had a side under one CPU tick ` +
        `(lengthen --seconds or add --sessions)`
      : `this checkout over ${revision}: ${median(ratios).toFixed(3)}× CPU, median of ` +
        `${ratios.length} pairs (${Math.min(...ratios).toFixed(3)}–${
          Math.max(...ratios).toFixed(3)
        })`,
  );
} finally {
  killChildren();
  await git("worktree", "remove", "--force", worktree).catch((error) => console.error(error));
  for (const bundle of bundles) {
    await Deno.remove(bundle.replace(/\/server\.mjs$/, ""), { recursive: true }).catch(() => {});
  }
}
