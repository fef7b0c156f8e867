// The surface fuzzer's small default run (every serializer kind, a few hundred seeds) and proof that
// its checks report what they guard against. Long runs:
// `deno run -A tests/fuzz/surface_operations.ts --seeds 20000 --ops 120 [--kind marking]`.
import assert from "node:assert/strict";
import { emptyStats, type TransportStats } from "../../src/transport_stats.ts";
import { escaping } from "../_escaping.ts";
import { TransportError } from "../../src/errors.ts";
import {
  checkDecodeErrorsHeard,
  checkFinalStats,
  checkFramesAndErrors,
  checkInboundMedia,
  checkPlayback,
  checkSpeakingEvents,
  checkStatsStep,
  formatFailure,
  heldLimitFor,
  KINDS,
  runSession,
} from "./surface_operations.ts";

/**
 * Seeds per kind: with every serializer a kind, a few hundred seeds in all keep the default run
 * short; the long runs (`--seeds 3000 --ops 120 --kind X`) are where seeds are spent.
 */
const SEEDS = 25;
const OPS = 50;

/** Kinds whose far end acknowledges marks (surface_far_ends.ts, and the marking far end). */
const ACKING = new Set([
  "marking",
  "twilio",
  "telnyx",
  "plivo",
  "exotel",
  "jambonz",
  "freeswitch",
  "asterisk",
]);

/**
 * Kinds whose far end's stop ends its stream (`InboundProtocol.endsStream`): what it sends after
 * is counted in `inboundAfterEnd`.
 */
const ENDS_STREAM = new Set(["telnyx", "plivo", "exotel"]);

/** Kinds whose far end sends binary messages (media, or all: protobuf). */
const BINARY = new Set([
  "raw",
  "marking",
  "vonage",
  "jambonz",
  "freeswitch",
  "asterisk",
  "genesys",
  "protobuf",
]);

/**
 * ConversationRelay carries no audio (Twilio's ConversationRelay docs, "WebSocket messages": the
 * app sends `text` tokens that Twilio speaks): its sessions send and interrupt none.
 */
const TEXT_ONLY = new Set(["relay"]);

for (const kind of KINDS) {
  Deno.test(`surface fuzz: ${kind} survives ${SEEDS} seeds × ${OPS} operations`, async () => {
    const reports: string[] = [];
    let speaking = 0;
    let sent = 0;
    let interrupted = 0;
    let listenerFailed = 0;
    let closedBehindHole = 0;
    let malformed = 0;
    let acknowledged = 0;
    let mediaArrived = 0;
    let mediaDelivered = 0;
    let closeCounters = 0;
    let afterEnd = 0;
    let decodeErrors = 0;
    let blobsRead = 0;
    // A listener's failure that escaped its guard would end the process: caught here instead.
    const escaped = await escaping(async () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const result = await runSession(seed, OPS, kind);
        if (result.problems.length > 0) reports.push(formatFailure(result, OPS));
        speaking += result.events.length;
        sent += result.stats.audioBytesSent;
        interrupted += result.stats.audioBytesInterrupted;
        if (result.covered.listenerFailed) listenerFailed++;
        if (result.covered.closedBehindHole) closedBehindHole++;
        malformed += result.covered.malformed;
        acknowledged += result.stats.marksAcknowledged;
        mediaArrived += result.covered.media.arrived;
        mediaDelivered += result.covered.media.delivered;
        closeCounters += result.stats.inboundFramesDroppedOnClose +
          result.stats.inboundMessagesDroppedOnClose;
        afterEnd += result.stats.inboundAfterEnd;
        decodeErrors += result.stats.decodeErrors;
        blobsRead += result.covered.blobsRead;
      }
    });
    assert.equal(reports.length, 0, reports.join("\n\n"));
    assert.deepEqual(escaped, []);
    // A fuzzer that never got audio out, nor had a listener fail, would pass vacuously.
    const audio = TEXT_ONLY.has(kind) || (speaking > 0 && sent > 0 && interrupted > 0);
    assert.ok(
      audio && listenerFailed > 0 && malformed > 0,
      `speaking ${speaking} sent ${sent} interrupted ${interrupted} ` +
        `listeners failed ${listenerFailed} malformed ${malformed}`,
    );
    // A far end that answers marks must have answered some, or its acknowledgements go untested.
    if (ACKING.has(kind)) assert.ok(acknowledged > 0, `${kind}: no mark acknowledged`);
    if (kind === "twilio") assert.ok(closedBehindHole > 0, "no socket closed behind a hole");
    // The inbound accounting weighs media the far end sent: there must have been some, delivered.
    assert.ok(
      mediaArrived > 0 && mediaDelivered > 0,
      `${kind}: media arrived ${mediaArrived}, delivered ${mediaDelivered}`,
    );
    // Some session closed with messages still being decoded (its serializer answering late), so
    // that the close counters were weighed exactly, not only bounded. (Genesys's far end streams
    // only once the server's `opened` has reached it: the session waits for that first,
    // `PlatformFarEnd.handshake`.)
    assert.ok(closeCounters > 0, `${kind}: nothing dropped on close`);
    // The other two counters weighed exactly: a far end whose stop ends its stream spoke on
    // after it, and the serializer's planted faults (decode_ledger.ts) were counted.
    if (ENDS_STREAM.has(kind)) assert.ok(afterEnd > 0, `${kind}: nothing after the end`);
    assert.ok(decodeErrors > 0, `${kind}: no decode error`);
    if (BINARY.has(kind)) assert.ok(blobsRead > 0, `${kind}: no message read as a Blob`);
  });
}

Deno.test("surface fuzz: the same seed replays the same session", async () => {
  const a = await runSession(117, OPS);
  const b = await runSession(117, OPS);
  assert.deepEqual(a.log, b.log);
  assert.deepEqual(a.events, b.events);
  assert.deepEqual(a.stats, b.stats);
  assert.notDeepEqual(a.log, (await runSession(118, OPS)).log);
});

const stats = (changes: Partial<TransportStats>): TransportStats => ({
  ...emptyStats(),
  ...changes,
});

Deno.test("surface fuzz checks: speaking events must alternate one for one", () => {
  assert.deepEqual(
    checkSpeakingEvents(["start:a", "stop:a:done", "start:b", "stop:b:interrupted"]),
    [],
  );
  const doubleStop = checkSpeakingEvents(["start:a", "stop:a:interrupted", "stop:a:interrupted"]);
  assert.match(doubleStop.join(), /stop without start/);
  assert.match(
    checkSpeakingEvents(["start:a", "start:b", "stop:b:done"]).join(),
    /start while start:a open/,
  );
  assert.match(checkSpeakingEvents(["start:a"]).join(), /start never stopped/);
});

Deno.test("surface fuzz checks: counters never step back, bar Vonage's held partial frame", () => {
  const before = stats({ marksSent: 3, audioBytesSent: 2066 });
  assert.match(
    checkStatsStep(before, stats({ marksSent: 2, audioBytesSent: 2066 }), 0).join(),
    /marksSent decreased 3 -> 2/,
  );
  // Vonage may give back its held partial frame, as long as it turns up interrupted or dropped.
  const handedBack = stats({ marksSent: 3, audioBytesSent: 1920, audioBytesInterrupted: 146 });
  assert.deepEqual(checkStatsStep(before, handedBack, heldLimitFor("vonage")), []);
  // Asterisk's serializer holds a partial frame the same way (src/serializers/asterisk.ts).
  assert.deepEqual(checkStatsStep(before, handedBack, heldLimitFor("asterisk")), []);
  // Nobody else may; nor Vonage by a whole frame or more; nor may the sum step back.
  assert.match(
    checkStatsStep(before, handedBack, heldLimitFor("marking")).join(),
    /audioBytesSent decreased/,
  );
  const wholeFrame = stats({ marksSent: 3, audioBytesSent: 1426, audioBytesDroppedOnClose: 640 });
  assert.match(
    checkStatsStep(before, wholeFrame, heldLimitFor("vonage")).join(),
    /audioBytesSent decreased/,
  );
  const lost = stats({ marksSent: 3, audioBytesSent: 1920 });
  assert.match(
    checkStatsStep(before, lost, heldLimitFor("vonage")).join(),
    /sum decreased 2066 -> 1920/,
  );
});

Deno.test("surface fuzz checks: every written byte and every mark is accounted at the end", () => {
  const written = { even: 6400, odd: 3, endSilence: 0 };
  assert.deepEqual(
    checkFinalStats(stats({ audioBytesSent: 6000, audioBytesStale: 400 }), written),
    [],
  );
  assert.match(
    checkFinalStats(stats({ audioBytesSent: 6000 }), written).join(),
    /accounting: .* diff -400/,
  );
  assert.match(checkFinalStats(stats({ audioBytesSent: 6404 }), written).join(), /diff 4/);
  // One end silence on top is allowed only when an `end` was sent.
  const ended = stats({ audioBytesSent: 6400 + 3200 });
  assert.match(checkFinalStats(ended, written).join(), /accounting/);
  assert.deepEqual(checkFinalStats(ended, { ...written, endSilence: 3200 }), []);
  const marks = stats({ marksSent: 3, marksAcknowledged: 1, marksUnanswered: 1 });
  assert.match(
    checkFinalStats(marks, { even: 0, odd: 0, endSilence: 0 }).join(),
    /marks: sent 3 ack 1 unanswered 1/,
  );
});

Deno.test("surface fuzz checks: playback never hears more than was sent", () => {
  assert.deepEqual(checkPlayback({ heardMs: 40, sentMs: 40, queuedMs: 0 }), []);
  assert.equal(checkPlayback({ heardMs: 41, sentMs: 40, queuedMs: 0 }).length, 1);
  assert.equal(checkPlayback({ heardMs: 0, sentMs: 40, queuedMs: -1 }).length, 1);
});

Deno.test("surface fuzz checks: every frame sent is counted, every malformed one heard or counted", () => {
  const sent = { direct: 10, written: 3, malformed: 2 };
  assert.deepEqual(checkFramesAndErrors(stats({ framesOut: 12, encodeErrors: 2 }), sent, 2), []);
  assert.match(
    checkFramesAndErrors(stats({ framesOut: 9, encodeErrors: 2 }), sent, 2).join(),
    /framesOut 9/,
  );
  assert.match(
    checkFramesAndErrors(stats({ framesOut: 14, encodeErrors: 2 }), sent, 2).join(),
    /framesOut 14/,
  );
  assert.match(
    checkFramesAndErrors(stats({ framesOut: 10, encodeErrors: 1 }), sent, 1).join(),
    /encodeErrors 1 < malformed frames sent 2/,
  );
  // Heard, or held past the hold's bound and counted: none may go missing.
  assert.match(
    checkFramesAndErrors(stats({ framesOut: 10, encodeErrors: 2 }), sent, 1).join(),
    /errors lost: 2 malformed frames, refusals heard 1, unheard 0/,
  );
  assert.deepEqual(
    checkFramesAndErrors(stats({ framesOut: 10, encodeErrors: 2, errorsUnheard: 1 }), sent, 1),
    [],
  );
});

Deno.test("surface fuzz checks: every inbound media message is delivered or counted", () => {
  const media = { arrived: 10, delivered: 10, framesDelivered: 10 };
  assert.deepEqual(checkInboundMedia(stats({}), media), []);
  // A gap filled with silence is a frame more than came; a reader behind drops frames, counted.
  const filled = stats({ inboundMediaGapsFilled: 1, inboundAudioFramesDropped: 3 });
  assert.deepEqual(
    checkInboundMedia(filled, { arrived: 10, delivered: 8, framesDelivered: 8 }),
    [],
  );
  // A duplicate or a late packet made no frame.
  const dropped = stats({ inboundMediaDuplicates: 1, inboundMediaLate: 1 });
  assert.deepEqual(
    checkInboundMedia(dropped, { arrived: 10, delivered: 8, framesDelivered: 8 }),
    [],
  );
  // One lost with nothing counted; one delivered twice (or made of nothing).
  assert.match(
    checkInboundMedia(stats({}), { arrived: 10, delivered: 9, framesDelivered: 9 }).join(),
    /inbound media: .* 1 lost, counted at the end 0/,
  );
  assert.match(
    checkInboundMedia(stats({}), { arrived: 10, delivered: 11, framesDelivered: 11 }).join(),
    /-1 lost/,
  );
  // Lost at the end: within what the counters shared with non-media messages count, no more.
  const closing = stats({ inboundFramesDroppedOnClose: 1, inboundMessagesDroppedOnClose: 1 });
  assert.deepEqual(
    checkInboundMedia(closing, { arrived: 10, delivered: 8, framesDelivered: 8 }),
    [],
  );
  assert.match(
    checkInboundMedia(closing, { arrived: 10, delivered: 7, framesDelivered: 7 }).join(),
    /3 lost/,
  );
  const ended = stats({ inboundAfterEnd: 1, decodeErrors: 1 });
  assert.deepEqual(checkInboundMedia(ended, { arrived: 10, delivered: 8, framesDelivered: 8 }), []);
});

Deno.test("surface fuzz checks: the close counters weighed exactly, with the serializer's answers", () => {
  // 12 messages came, 10 media; the last 2 (1 media) were never read, the one before (media) was
  // under way at the end; 9 answers taken made 8 media frames and 1 DTMF; the bot got 6 media and
  // the DTMF, 1 audio dropped for a reader behind, 1 decoded after its frames ended.
  const decoded = {
    unread: 2,
    unreadMedia: 1,
    lastBegunMedia: true,
    botFrames: { before: 9, last: 1 },
    mediaFrames: { before: 8, last: 1 },
    afterEnd: { before: 0, last: 0 },
    afterEndMedia: { before: 0, last: 0 },
    malformed: { before: 0, last: 0 },
    finishThrew: false,
    mediaLostInFinish: 0,
    tailFrames: { before: 0, last: 0 },
    tailsLostInFinish: 0,
  };
  const media = { arrived: 10, delivered: 6, framesDelivered: 7 };
  const closing = stats({
    inboundMessagesDroppedOnClose: 3,
    inboundFramesDroppedOnClose: 1,
    inboundAudioFramesDropped: 1,
  });
  assert.deepEqual(checkInboundMedia(closing, media, decoded), []);
  // Without the counter's step for the frame decoded after the end, or for an unread message.
  assert.match(
    checkInboundMedia({ ...closing, inboundFramesDroppedOnClose: 0 }, media, decoded).join(),
    /inbound frames dropped on close 0, not 1/,
  );
  assert.match(
    checkInboundMedia({ ...closing, inboundMessagesDroppedOnClose: 1 }, media, decoded).join(),
    /2 never read, so 0 or 1 under way, not -1/,
  );
  // Without the step for the decode under way, its answer looks taken: a frame is missing.
  assert.match(
    checkInboundMedia({ ...closing, inboundMessagesDroppedOnClose: 2 }, media, decoded).join(),
    /inbound frames dropped on close 1, not 2/,
  );
  // A media message lost with only a non-media message's count to hide in, or a decode error's.
  const dtmfUnread = { ...decoded, unreadMedia: 0 };
  assert.match(
    checkInboundMedia(closing, media, dtmfUnread).join(),
    /1 messages unread \(1 under way\), 0 after the end, 0 held by a finish that threw: 1 left/,
  );
  assert.match(
    checkInboundMedia({ ...closing, decodeErrors: 1 }, media, dtmfUnread).join(),
    /decode errors 1, not 0/,
  );
  // A resampler's tail taken (the stream's end): one media frame more than messages, no loss;
  // the same frame with no tail made to account for it is one too many.
  const tail = {
    ...decoded,
    botFrames: { before: 10, last: 1 },
    mediaFrames: { before: 9, last: 1 },
  };
  const withTail = { ...media, delivered: 7, framesDelivered: 8 };
  assert.deepEqual(
    checkInboundMedia(closing, withTail, { ...tail, tailFrames: { before: 1, last: 0 } }),
    [],
  );
  assert.match(checkInboundMedia(closing, withTail, tail).join(), /0 resampler tails.*-1 left/);
});

Deno.test("surface fuzz checks: messages after the end and decode errors weighed exactly", () => {
  // 8 media messages came: 5 made frames the bot got, 2 came after the far end's end of stream,
  // the last of them read last; `finish` threw holding 1. One answer taken carried a value that
  // is no frame.
  const decoded = {
    unread: 0,
    unreadMedia: 0,
    lastBegunMedia: true,
    botFrames: { before: 5, last: 0 },
    mediaFrames: { before: 5, last: 0 },
    afterEnd: { before: 1, last: 1 },
    afterEndMedia: { before: 1, last: 1 },
    malformed: { before: 1, last: 0 },
    finishThrew: true,
    mediaLostInFinish: 1,
    tailFrames: { before: 0, last: 0 },
    tailsLostInFinish: 0,
  };
  const media = { arrived: 8, delivered: 5, framesDelivered: 5 };
  const ended = stats({ inboundAfterEnd: 2, decodeErrors: 2 });
  assert.deepEqual(checkInboundMedia(ended, media, decoded), []);
  // The last one still under way at the end: counted unread, not again as read after the end.
  const underWay = { ...ended, inboundMessagesDroppedOnClose: 1, inboundAfterEnd: 1 };
  assert.deepEqual(checkInboundMedia(underWay, media, decoded), []);
  assert.match(
    checkInboundMedia({ ...underWay, inboundAfterEnd: 2 }, media, decoded).join(),
    /inbound after end 2, not 1/,
  );
  assert.match(
    checkInboundMedia({ ...ended, inboundAfterEnd: 1 }, media, decoded).join(),
    /inbound after end 1, not 2/,
  );
  assert.match(
    checkInboundMedia({ ...ended, decodeErrors: 1 }, media, decoded).join(),
    /decode errors 1, not 2: 1 answers taken with a value that is no frame, finish threw true/,
  );
  // One media message more, counted nowhere.
  assert.match(
    checkInboundMedia(ended, { ...media, arrived: 9 }, decoded).join(),
    /1 held by a finish that threw: 1 left/,
  );
});

Deno.test("surface fuzz checks: decode errors are the planted faults, clear, not fatal, none lost", () => {
  const malformed = new TransportError(
    "decode",
    'serializer read a message as a frame of type "fuzz-not-a-frame"',
  );
  const finish = new TransportError(
    "decode",
    "serializer failed to hand on what it held at the end (finish): Error: a fault the fuzz planted: finish threw",
  );
  assert.deepEqual(checkDecodeErrorsHeard([malformed, finish], stats({ decodeErrors: 2 })), []);
  // One unheard, counted so.
  assert.deepEqual(
    checkDecodeErrorsHeard([malformed], stats({ decodeErrors: 2, errorsUnheard: 1 })),
    [],
  );
  assert.match(
    checkDecodeErrorsHeard([malformed], stats({ decodeErrors: 2 })).join(),
    /decode errors 2: heard 1, unheard 0/,
  );
  const other = new TransportError("decode", "serializer failed to read a message: TypeError: x");
  assert.match(checkDecodeErrorsHeard([other], stats({ decodeErrors: 1 })).join(), /TypeError/);
  const fatal = new TransportError("decode", malformed.message, { fatal: true });
  assert.match(
    checkDecodeErrorsHeard([fatal], stats({ decodeErrors: 1 })).join(),
    /a decode error ended the session/,
  );
});
