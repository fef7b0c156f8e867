/**
 * A caller simulator for every protocol this package speaks: call a voice bot's WebSocket as
 * Twilio, Telnyx, Plivo, Exotel, Vonage, Genesys AudioHook, a pipecat client or a raw-PCM page
 * would, with a WAV file (or PCM stream) as the caller, and get a report of what the caller
 * lived: time to first audio, response latency after each utterance, barge-in stop latency and
 * stale audio, underruns, late and early chunks, marks, protocol violations, how the call ended,
 * and a stereo recording. Each platform's side is written from that platform's documentation,
 * so it checks a bot (ours or anyone's) against the platform, not against itself.
 *
 * The library is web standards only (the standard `WebSocket`); `jsr:@x/ws-transport/simulate`
 * is the command line.
 *
 * @example Simulate a Twilio call and print the report
 * ```ts ignore
 * import { formatReport, simulateCall } from "@x/ws-transport/simulator";
 *
 * const report = await simulateCall("ws://127.0.0.1:8000/media", {
 *   protocol: "twilio",
 *   audio: await Deno.readFile("caller.wav"),
 *   bargeIn: { afterMs: 1500 },
 *   record: true,
 * });
 * console.log(formatReport(report));
 * await Deno.writeFile("heard.wav", report.recording!);
 * ```
 *
 * @module
 */

export * from "./simulate_call.ts";
export * from "./report.ts";
export * from "./format_report.ts";
export * from "./aggregate_reports.ts";
export * from "./call_verdict.ts";
export * from "./caller_audio.ts";
export * from "./synthetic_caller.ts";
export * from "./playout_buffer.ts";
export * from "./call_recorder.ts";
export * from "./far_end.ts";
export * from "./far_ends.ts";
