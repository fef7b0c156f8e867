/**
 * A Plivo stream of both tracks (ordered by `media.timestamp`, stamps jittered ±6 ms as Plivo's
 * epoch-ms stamps are): 2,000 caller packets of 20 ms μ-law, decoded to 16 kHz by a fresh
 * serializer, this checkout beside another one given as `AB_BASE` (a worktree of the commit to
 * compare with; see BENCHMARKS.md, "Media reorder window"). Without `AB_BASE`, this checkout alone.
 *
 * ```sh
 * git worktree add /tmp/base_bench <commit> && ln -s "$PWD/node_modules" /tmp/base_bench/
 * AB_BASE=/tmp/base_bench npx deno bench -A tests/bench/both_tracks_ab_bench.ts
 * ```
 *
 * @module
 */

const HERE = new URL("../../", import.meta.url).pathname;
const PACKETS = 2000;
const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};
const START = JSON.stringify({
  event: "start",
  sequenceNumber: 1,
  start: {
    callId: "c1",
    streamId: "s1",
    accountId: "MA1",
    tracks: ["inbound", "outbound"],
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000 },
  },
});

/** The caller's packets, one `chunk` counter across both tracks (every other number). */
function callerPackets(): string[] {
  const payload = btoa(String.fromCharCode(...new Uint8Array(160).fill(0x90)));
  let seed = 7;
  const jitterMs = () =>
    Math.round(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 12 - 6);
  return Array.from({ length: PACKETS }, (_, i) =>
    JSON.stringify({
      event: "media",
      sequenceNumber: i + 2,
      streamId: "s1",
      media: {
        track: "inbound",
        timestamp: String(1705312200000 + i * 20 + jitterMs()),
        chunk: String(i * 2 + 1),
        payload,
      },
    }));
}

const messages = callerPackets();
const roots: [string, string][] = [["this checkout", HERE]];
const base = Deno.env.get("AB_BASE");
if (base) roots.push(["AB_BASE", base.endsWith("/") ? base : `${base}/`]);
for (const [name, root] of roots) {
  const { PlivoSerializer } = await import(`${root}src/serializers/plivo.ts`);
  const { recordingContext } = await import(
    `${root}tests/serializers/fixtures/recording_context.ts`
  );
  Deno.bench(`Plivo both tracks, 2,000 jittered packets (${name})`, {
    group: "both tracks",
    baseline: name === "AB_BASE",
  }, () => {
    const plivo = new PlivoSerializer();
    plivo.setup(SETUP);
    plivo.bind(recordingContext().context);
    plivo.deserialize(START);
    for (const message of messages) plivo.deserialize(message);
  });
}
