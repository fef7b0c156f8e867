/**
 * The cost of the pipecat wire check every inbound pipecat message passes before `fromBinary`
 * reads it: `checkRecords` (offsets over the bytes, nothing allocated per record) next to the
 * `BinaryReader` walk it replaced (kept as an oracle in
 * tests/serializers/_pipecat_wire_check_oracle.ts), on one 20 ms audio frame of 16 kHz mono (640
 * bytes of PCM) as a pipecat client sends it. The baseline is `fromBinary` itself, the decode
 * every such message pays anyway: the check's cost is read as a share of it.
 *
 * Run: `npx deno bench --allow-all tests/bench/pipecat_wire_check_bench.ts`
 *
 * @module
 */

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AudioRawFrameSchema, FrameSchema } from "../../src/serializers/_pipecat_frames_pb.ts";
import { checkRecords } from "../../src/serializers/_pipecat_wire_check.ts";
import { bufbuildReaderCheckRecords } from "../serializers/_pipecat_wire_check_oracle.ts";

const pcm = new Uint8Array(640).map((_, i) => (i * 7919) % 256);
const message = toBinary(
  FrameSchema,
  create(FrameSchema, {
    frame: {
      case: "audio",
      value: create(AudioRawFrameSchema, { audio: pcm, sampleRate: 16000, numChannels: 1 }),
    },
  }),
);

let sum = 0;
const GROUP = { group: "pipecat-wire-check" };

Deno.bench("checkRecords: 640-byte audio frame", GROUP, () => {
  checkRecords(message);
});
Deno.bench("old BinaryReader walk: 640-byte audio frame", GROUP, () => {
  bufbuildReaderCheckRecords(message);
});
Deno.bench(
  "baseline: fromBinary, the decode the check precedes",
  { ...GROUP, baseline: true },
  () => {
    sum += fromBinary(FrameSchema, message, { readUnknownFields: false }).frame.case === "audio"
      ? 1
      : 0;
  },
);

globalThis.addEventListener("unload", () => {
  if (sum === -1) console.log(sum); // keeps `sum`, and so the loops, observable
});
