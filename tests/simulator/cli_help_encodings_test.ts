// The simulate CLI's --help listed each platform's encodings joined by "/", which is also inside
// the names themselves: "Plivo audio/x-mulaw/audio/x-l16" reads as one name, and a user could not
// tell where one ends. The list now names each protocol as -p takes it, then its encodings
// ("plivo audio/x-mulaw or audio/x-l16"), the default first; every name it gives is one that
// protocol's far end takes.
import assert from "node:assert/strict";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import { printedHelp } from "./_cli.ts";

Deno.test("every encoding the simulate CLI's --help lists is taken by the protocol it names", async () => {
  const text = (await printedHelp()).replace(/\s+/g, " ");
  const list =
    /--encoding NAME the platform's encoding, where it offers a choice, its default first \(([^)]*)\)/
      .exec(text)?.[1];
  assert.ok(list, "the --encoding entry");
  const groups = list.split("; ").map((group) => {
    const [protocol, ...rest] = group.split(" ");
    return { protocol: protocol!, names: rest.join(" ").split(/, | or /) };
  });
  assert.deepEqual(groups.map((g) => g.protocol), ["telnyx", "plivo", "exotel", "asterisk"]);
  for (const { protocol, names } of groups) {
    const factory = FAR_ENDS[protocol];
    assert.ok(factory, `${protocol} is a protocol -p takes`);
    assert.ok(names.length >= 2, `${protocol}: ${names.join("|")}`);
    for (const encoding of names) {
      assert.doesNotThrow(() => factory({ encoding }), `${protocol} takes ${encoding}`);
    }
  }
});
