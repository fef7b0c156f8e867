// The page's own pieces that need no browser: its G.711 μ-law (the phone line's codec: decoding
// checked against sox, the independent oracle; encoding against ITU-T G.191, as the package's own
// codec is) and its playback ledger (what the player played of each
// response, and what it played after a clear).
import assert from "node:assert/strict";
import { mulawDecode, mulawEncode } from "../../examples/demo/public/g711.js";
import { PlaybackLedger } from "../../examples/demo/public/playback_ledger.js";
import { mulawEncode as packageEncode } from "../../src/audio/g711.ts";

async function sox(args: string[], input: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("sox", { args, stdin: "piped", stdout: "piped" }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  await writer.close();
  const { success, stdout } = await child.output();
  assert.ok(success, `sox ${args.join(" ")}`);
  return stdout;
}

const RAW16 = ["-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1"];
const RAWMULAW = ["-t", "raw", "-r", "8000", "-e", "u-law", "-b", "8", "-c", "1"];

Deno.test("the demo page's μ-law encoder follows the ITU-T G.191 reference on every 16-bit sample", () => {
  // G.191 truncates to 14 bits and takes negatives by one's complement: −1 is the negative
  // zero (sox rounds instead, so it is no oracle for the encoder: the decoder's is below).
  assert.deepEqual(
    [...mulawEncode(new Int16Array([0, 1, 3, 4, -1, -4, -5, 32767, -32768]))],
    [0xff, 0xff, 0xff, 0xfe, 0x7f, 0x7f, 0x7e, 0x80, 0x00],
  );
  const samples = new Int16Array(65536).map((_, i) => i - 32768);
  const encoded = mulawEncode(samples);
  const reference = packageEncode(samples);
  const differing = encoded.findIndex((code: number, i: number) => code !== reference[i]);
  assert.equal(differing, -1, `sample ${samples[differing]}`);
  // Every code but the negative zero survives decoding and encoding again.
  const codes = new Uint8Array(256).map((_, i) => i);
  const again = mulawEncode(mulawDecode(codes));
  for (let code = 0; code < 256; code++) assert.equal(again[code], code === 0x7f ? 0xff : code);
});

Deno.test("the demo page's μ-law decoder agrees with sox on every code", async () => {
  const codes = new Uint8Array(256).map((_, i) => i);
  const bytes = await sox([...RAWMULAW, "-", ...RAW16, "-"], codes);
  const expected = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  assert.deepEqual([...mulawDecode(codes)], [...expected]);
});

Deno.test("the demo page's ledger counts what the player played of each response, what after its clear, and how long it stalled inside it", () => {
  const ledger = new PlaybackLedger(8000);
  // The server's account: parrot-1 at 0–1000 ms, parrot-2 from 1000 ms (a run that grows).
  ledger.addSent({ responseId: "parrot-1", fromMs: 0, toMs: 1000 });
  ledger.addSent({ responseId: "parrot-2", fromMs: 1000, toMs: 1200 });
  ledger.addSent({ responseId: "parrot-2", fromMs: 1000, toMs: 2000 });
  // The player: 0.6 s of parrot-1 in epoch 0 (silent for 40 ms at 0.3 s, and for the wait
  // before its first sample, which is not inside it), a clear, then all of parrot-2 (in two
  // reports, silent for 20 ms at 1.5 s).
  ledger.addRuns([[0, 4800, 0]]);
  ledger.addStalls([[0, 60, 0], [2400, 40, 0]]);
  ledger.addInterruption({
    responseId: "parrot-1",
    heardMs: 590,
    responseMs: 1000,
    droppedMs: 410,
    acknowledged: true,
  });
  ledger.addRuns([[8000, 9000, 1]]);
  ledger.addRuns([[8000, 16000, 1]]);
  ledger.addStalls([[12000, 20, 1]]);
  assert.equal(ledger.responseAt(100), "parrot-1");
  assert.equal(ledger.responseAt(12000), "parrot-2");
  assert.equal(ledger.responseAt(16000), undefined);
  assert.deepEqual(ledger.bargeIns(), [{
    responseId: "parrot-1",
    heardMs: 590,
    responseMs: 1000,
    droppedMs: 410,
    acknowledged: true,
    playedMs: 600,
    stalledMs: 40,
    stalePlayedSamples: 0,
    stalePlayedMs: 0,
  }]);
  assert.equal(ledger.playedSamples("parrot-2"), 8000);
  assert.equal(ledger.stalledMs("parrot-2"), 20);
  assert.equal(ledger.stalledMs("parrot-2", 1), 0, "none before parrot-2's epoch");

  // A player that went on after the clear (or a server that sent parrot-1 after it): stale.
  ledger.addRuns([[4800, 5600, 1]]);
  const bargeIn = ledger.bargeIns()[0]!;
  assert.equal(bargeIn.stalePlayedSamples, 800);
  assert.equal(bargeIn.stalePlayedMs, 100);
  assert.equal(bargeIn.playedMs, 700);
});
