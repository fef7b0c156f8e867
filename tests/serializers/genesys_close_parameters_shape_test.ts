// A `close` from Genesys whose `parameters` are absent or no object, while the session is open.
// The serializer answers a close whose parameters are off (no `reason`, or one the protocol
// lacks) with `closed` all the same, its fault reported: Genesys has sent its close transaction
// and waits for our `closed` ("the client initiates a close transaction to ensure a clean
// finalization of the session", help.mypurecloud.com, "What happens during a successful session
// between Genesys Cloud and your AudioHook server?"; the reference client waits `closeTimeout`,
// then gives up with error 408 "Close transaction timeout": purecloudlabs/
// audiohook-reference-implementation, client/clientsessionimpl.ts, initiateClose). A breach's
// `disconnect` would be answered by nothing, and the call would end only by timeout. Parameters
// that are missing altogether are as far off as a missing `reason` (before the envelope required
// them, such a close was read as `{}` and answered); so are parameters that are no object.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { boundGenesys, openMessage, SESSION } from "./fixtures/genesys_open.ts";

/** Genesys's `close` (`seq` 2, acknowledging our `opened`) with `parameters` as given. */
function close(parameters: unknown): string {
  return JSON.stringify({
    version: "2",
    id: SESSION,
    type: "close",
    seq: 2,
    serverseq: 1,
    position: "PT1S",
    parameters,
  });
}

for (
  const [what, parameters, info] of [
    ["without parameters", undefined, "Missing parameters"],
    ["whose parameters are null", null, "parameters are not an object: null"],
    ["whose parameters are a list", ["end"], 'parameters are not an object: ["end"]'],
  ] as const
) {
  Deno.test(`Genesys: an open session's close ${what} is answered with closed, its fault reported`, () => {
    const { genesys, sent, reported, counted } = boundGenesys();
    genesys.deserialize(openMessage());
    sent.length = 0;
    const frames = [genesys.deserialize(close(parameters))].flat();
    assert.deepEqual(sent.map((m) => JSON.parse(m as string)), [{
      version: "2",
      type: "closed",
      seq: 2,
      clientseq: 2,
      id: SESSION,
      parameters: {},
    }], "closed, not a breach's disconnect");
    assert.deepEqual(frames.at(-1), { type: "end" }, "the bot's end frame");
    assert.equal(counted.decodeErrors, 1);
    assert.deepEqual(
      reported.map((e) => (e as TransportError).message),
      [`genesys: ${info} (in Genesys's close, answered all the same)`],
    );
  });
}
