/**
 * Debian's Chromium, driven by `playwright-core`, for tests that need a real browser. One
 * function: {@linkcode launchChromium} starts a headless Chromium with a fresh profile directory and
 * hands back a handle whose `close()` (or `await using`) always ends the browser and removes the
 * profile, even when the test failed half way.
 *
 * @module
 */

import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * The flags every test browser gets: headless, no sandbox (containers have no user namespaces),
 * and nothing that reaches the network on its own (updates, sync, QUIC probes).
 */
export const CHROMIUM_BASE_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

/**
 * Flags that give a page a microphone without a person: the permission prompt is answered yes,
 * and the device is Chromium's fake one (a beep, or the WAV file passed with
 * `--use-file-for-fake-audio-capture=<path>`).
 */
export const FAKE_MEDIA_ARGS: readonly string[] = [
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
];

/** Options for {@linkcode launchChromium}. */
export interface LaunchChromiumOptions {
  /**
   * Flags added after {@linkcode CHROMIUM_BASE_ARGS}.
   *
   * @default {[]}
   */
  args?: readonly string[];
  /**
   * How long the browser may take to start, in milliseconds.
   *
   * @default {20000}
   */
  timeoutMs?: number;
  /**
   * The browser executable.
   *
   * @default {CHROMIUM_PATH}
   */
  executablePath?: string;
}

/** A running test browser. Close it in a `finally`, or hold it with `await using`. */
export interface ChromiumHandle extends AsyncDisposable {
  /** The browser's one context (its profile lives in `userDataDir`). */
  readonly context: BrowserContext;
  /** The fresh profile directory; removed by `close()`. */
  readonly userDataDir: string;
  /** A new tab. */
  newPage(): Promise<Page>;
  /** Ends the browser (killing it if it will not go) and removes the profile. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a fresh `--user-data-dir` (a temporary directory).
 *
 * Playwright refuses `--user-data-dir` in `args`, so the profile goes through
 * `launchPersistentContext`, which is the same browser with the directory we chose.
 *
 * @example Opening a page
 * ```ts ignore
 * import { launchChromium } from "./chromium.ts";
 *
 * await using browser = await launchChromium();
 * const page = await browser.newPage();
 * await page.goto("http://127.0.0.1:8000/");
 * ```
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<ChromiumHandle> {
  const userDataDir = await Deno.makeTempDir({ prefix: "ws-transport-chromium-" });
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: options.executablePath ?? CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_BASE_ARGS, ...(options.args ?? [])],
      timeout: options.timeoutMs ?? 20000,
      // Playwright's own signal handlers would outlive the test and trip the sanitizers.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closing ??= (async () => {
      try {
        // Bounded: a wedged browser must not hang the test (Playwright kills the process when
        // its own close gives up; the race keeps us from waiting on it forever).
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          context.close(),
          new Promise<void>((resolve) => timer = setTimeout(resolve, 10000)),
        ]).finally(() => clearTimeout(timer));
      } finally {
        await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
      }
    })();
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Collects what `page` reports going wrong, as it happens: uncaught errors and rejections, and
 * console errors. A test asserts the array empty at its end.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}
