/**
 * A Worker bundled the way `npx wrangler dev` / `npx wrangler deploy` bundles it on Node 20, where
 * npm picks wrangler 4.86.0: esbuild with the options of wrangler's `bundleWorker`
 * (packages/wrangler/src/deployment-bundle/bundle.ts in cloudflare/workers-sdk; read from the
 * published wrangler@4.86.0, `wrangler-dist/cli.js`, its `bundleWorker` and
 * `COMMON_ESBUILD_OPTIONS`). The library is found as npm finds it, through `node_modules` and the
 * package.json `exports` of this checkout, not through deno.json: what bundles under `deno bundle`
 * but not under these settings fails here as it would fail for a user.
 *
 * Left out, as they change nothing this bundle is checked for: the middleware `wrangler dev` wraps
 * around the entry (request-body draining, its error page), the `checked-fetch` inject (only for
 * compatibility dates before 2024-09-02), source maps, and the build's file output.
 *
 * @module
 */

import * as esbuild from "esbuild";

/**
 * wrangler 4.86.0's esbuild options for a modules-format Worker whose `wrangler.toml` sets no
 * `[build]`, `alias`, `define`, `minify` or `nodejs_compat` and no `WRANGLER_BUILD_*` variable.
 */
export const WRANGLER_4_86_ESBUILD = {
  bundle: true,
  // `entry.format === "modules" ? "esm" : "iife"`: a Worker with a default export is "modules".
  format: "esm",
  // `getBuildPlatform()` is undefined without WRANGLER_BUILD_PLATFORM: esbuild's default, which
  // also leaves `mainFields` at esbuild's browser default (browser, module, main).
  platform: "browser",
  // COMMON_ESBUILD_OPTIONS: workerd's V8 is ES2024; `import source` is let through.
  target: "es2024",
  supported: { "import-source": true },
  // `getBuildConditions()` without WRANGLER_BUILD_CONDITIONS.
  conditions: ["workerd", "worker", "browser"],
  loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx" },
  external: ["__STATIC_CONTENT_MANIFEST"],
  // `wrangler dev`'s NODE_ENV ("production" under `wrangler deploy`).
  define: {
    "process.env.NODE_ENV": '"development"',
    "global.process.env.NODE_ENV": '"development"',
    "globalThis.process.env.NODE_ENV": '"development"',
  },
} as const satisfies esbuild.BuildOptions;

/** Why a Worker does not bundle as wrangler bundles it. */
export class WranglerBundleError extends Error {
  override readonly name = "WranglerBundleError";
}

/**
 * Bundles `main` (relative to `projectRoot`, the folder of `wrangler.toml`) into one ES module's
 * text as wrangler 4.86 would, and checks what wrangler checks or would leave to fail at runtime:
 * every Durable Object class in `durableObjectClasses` is exported by the entry (wrangler refuses
 * the Worker otherwise), and no `node:` module is imported (without `nodejs_compat` wrangler only
 * warns and leaves the import in, and workerd then refuses to load the Worker). Warnings fail too:
 * a clean bundle is what the examples promise.
 */
export async function bundleAsWrangler(
  projectRoot: string,
  main: string,
  durableObjectClasses: string[],
): Promise<string> {
  const nodeImports: string[] = [];
  try {
    const result = await esbuild.build({
      ...WRANGLER_4_86_ESBUILD,
      entryPoints: [main],
      absWorkingDir: projectRoot,
      outdir: "dist",
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins: [{
        // wrangler's `nodejs_compat-imports` plugin, for a Worker without nodejs_compat: a `node:`
        // import that does not resolve on the browser platform becomes external, with a warning.
        name: "nodejs_compat-imports",
        setup(build) {
          build.onResolve({ filter: /^node:/ }, ({ path, importer }) => {
            nodeImports.push(`${path} (from ${importer})`);
            return { path, external: true };
          });
        },
      }],
    });
    if (nodeImports.length > 0) {
      throw new WranglerBundleError(
        `imports Node built-ins without nodejs_compat: ${nodeImports.join(", ")}`,
      );
    }
    if (result.warnings.length > 0) {
      const text = await esbuild.formatMessages(result.warnings, { kind: "warning" });
      throw new WranglerBundleError(`esbuild warned:\n${text.join("\n")}`);
    }
    const [output, ...more] = result.outputFiles.filter((file) => file.path.endsWith(".js"));
    if (output === undefined || more.length > 0) {
      throw new WranglerBundleError(`expected one module, got ${result.outputFiles.length} files`);
    }
    const exports = Object.values(result.metafile.outputs).flatMap((out) => out.exports);
    const missing = durableObjectClasses.filter((name) => !exports.includes(name));
    if (missing.length > 0) {
      throw new WranglerBundleError(`the entry does not export ${missing.join(", ")}`);
    }
    return output.text;
  } finally {
    // esbuild's service is a child process: stop it so that nothing outlives the test.
    await esbuild.stop();
  }
}
