/**
 * The fuzz tools' command lines (inbound_fuzz.ts, surface_operations.ts): read by node:util's
 * `parseArgs`, strict, as the simulate CLI reads its own (src/simulator/cli.ts). `--help` prints
 * the flags and exits 0; a flag the tool does not know, a flag missing its value or a stray
 * argument is refused with exit 2, naming it, where it used to start a default run that ran
 * minutes and checked nothing that was asked for.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** One flag: what it does, and the name of its value (none: a switch). */
export interface FlagHelp {
  value?: string;
  says: string;
}

/** A fuzz tool's command line: its name, how it is run, what it does, and its flags. */
export interface FuzzCommand {
  name: string;
  usage: string;
  about: string;
  flags: Record<string, FlagHelp>;
}

/** Every flag's values as given; a switch given is `true`. */
export type FlagValues = Record<string, string | boolean | undefined>;

/** `--help` itself, which every tool takes. */
const HELP: FlagHelp = { says: "print this and exit" };

/** The `--help` text: usage, what the tool does, a line a flag. */
export function helpText(command: FuzzCommand): string {
  const rows = Object.entries({ ...command.flags, help: HELP })
    .map(([name, flag]) => [`--${name}${flag.value ? ` ${flag.value}` : ""}`, flag.says]);
  const width = Math.max(...rows.map(([left]) => left!.length));
  return [
    `usage: ${command.usage}`,
    "",
    command.about,
    "",
    "flags:",
    ...rows.map(([left, says]) => `  ${left!.padEnd(width)}  ${says}`),
  ].join("\n");
}

/**
 * Reads `args` for `command`: its flags' values, or the exit code the tool ends with at once
 * (0 after `--help`; 2, having said why, for a command line it does not take).
 */
export function readFlags(args: string[], command: FuzzCommand): FlagValues | { exit: number } {
  const options = Object.fromEntries(
    Object.entries({ ...command.flags, help: HELP }).map(([name, flag]) => [
      name,
      { type: flag.value ? "string" as const : "boolean" as const },
    ]),
  );
  let values: FlagValues;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${command.name}: ${(error as Error).message}\n\n${helpText(command)}`);
    return { exit: 2 };
  }
  if (values.help) {
    console.log(helpText(command));
    return { exit: 0 };
  }
  return values;
}
