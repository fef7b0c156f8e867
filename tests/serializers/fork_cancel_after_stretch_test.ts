// A `cancel` (hang up now, nothing more) in the chunk after a stretch of the bot's audio ended with
// a bot's mark waiting behind samples the module's pre-buffer holds: ForkMarks armed its flush
// timer at the stretch's end, and the cancel left it armed, so the flush silence went on the wire
// after the `disconnect`, while jambonz's socket stays open until jambonz closes it (peerCloses).
// FreeSWITCH's socket closes at once, so there it was lost all the same; tested for both.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { forkAudio, startedForkCall } from "./fixtures/fork_serializers.ts";

for (
  const [name, make] of [
    ["JambonzSerializer", () => new JambonzSerializer()],
    ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
  ] as [string, () => FrameSerializer][]
) {
  Deno.test(`\`${name}\`: nothing goes after a cancel's disconnect, the flush a stretch's end armed neither`, async () => {
    const serializer = make();
    let stretchesEnded = 0;
    const audioEnds = serializer.audioEnds!.bind(serializer);
    serializer.audioEnds = (playing) => {
      stretchesEnded++;
      return audioEnds(playing);
    };
    const { clock, pair, transport, wire } = await startedForkCall(serializer, {
      markIntervalMs: 0,
    });
    // A sentence, the bot's mark, the next sentence: the mark's marker goes into the pre-buffer
    // with the second sentence, all of it under the module's first batch.
    transport.send(forkAudio(60, 7, "r"));
    transport.send({ type: "mark", name: "said" });
    transport.send(forkAudio(60, 7, "r"));
    while (stretchesEnded === 0) await clock.tick(5);
    void transport.send({ type: "cancel" });
    await clock.tick(200);
    const at = wire.indexOf('{"type":"disconnect"}');
    assert.ok(at >= 0, wire.join("\n"));
    assert.deepEqual(wire.slice(at + 1), [], `sent after the disconnect:\n${wire.join("\n")}`);
    pair.client.close(1000);
    await clock.tick(1000);
    await transport.closed;
  });
}
