// The page's audio: the microphone, cut into 20 ms PCM16 frames at the line's rate by the mic
// worklet, and the player worklet, which plays what the server sends and knows what it played.

/** Where the page came from: the server the microphone audio goes to. */
export const SERVER = location.origin;

/** Thrown when the demo server cannot be reached: says so instead of the browser's own words. */
export class ServerUnreachable extends Error {
  constructor() {
    super(`cannot reach the server at ${SERVER}: is it running?`);
  }
}

/**
 * What went wrong with the microphone, in words that say which device and what to do. A browser
 * says only "Permission denied" (NotAllowedError: the user or a site setting said no) or
 * "Requested device not found" (NotFoundError), which do not name the microphone.
 */
function microphoneError(error) {
  const why = error?.message || String(error);
  switch (error?.name) {
    case "NotAllowedError":
      return new Error(
        `the microphone was not allowed (${why}): allow it for ${SERVER} in the browser's ` +
          "site settings (the icon left of the address), then click Talk again",
      );
    case "NotFoundError":
      return new Error(`no microphone was found (${why}): connect one, then click Talk again`);
    case "NotReadableError":
      return new Error(
        `the microphone could not be opened (${why}): another program may be using it`,
      );
    default:
      return error;
  }
}

/**
 * Opens the microphone and the audio graph. `rate` is the line's (16000, or 8000 on the phone
 * line); the player starts after `targetMs` of audio and holds at most `maxMs`.
 * @param {{ rate: number, echoCancellation: boolean, targetMs: number, maxMs: number }} options
 */
export async function openAudio({ rate, echoCancellation, targetMs, maxMs }) {
  // Browsers give the microphone (and audio worklets) to secure pages only: https, or http on a
  // loopback name. Over plain http from another machine `navigator.mediaDevices` is undefined.
  if (!globalThis.isSecureContext) {
    throw new Error(
      `the microphone and the audio player need a secure page, and ${SERVER} is not one: open ` +
        "the demo over https (a proxy in front of it, listed in ORIGINS), or on the machine it " +
        "runs on at http://127.0.0.1 or http://localhost",
    );
  }
  if (!navigator.mediaDevices) throw new Error("this browser gives pages no microphone");
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation, noiseSuppression: false, autoGainControl: false },
  }).catch((error) => {
    throw microphoneError(error);
  });
  let ctx;
  try {
    ctx = new AudioContext({ latencyHint: "interactive" });
    // The worklets come from the server: when it is down this is where that shows first, as
    // "Unable to load a worklet's module", which says nothing of the server.
    await Promise.all([
      ctx.audioWorklet.addModule("mic-worklet.js"),
      ctx.audioWorklet.addModule("player-worklet.js"),
    ]).catch(() => {
      throw new ServerUnreachable();
    });
    const mic = new AudioWorkletNode(ctx, "mic-processor", {
      numberOfOutputs: 0,
      processorOptions: { rate },
    });
    const player = new AudioWorkletNode(ctx, "player-processor", {
      numberOfInputs: 0,
      outputChannelCount: [1],
      processorOptions: { rate, targetMs, maxMs },
    });
    player.connect(ctx.destination);
    ctx.createMediaStreamSource(stream).connect(mic);
    const context = ctx;
    return {
      ctx,
      mic,
      player,
      /** How long after the player renders a sample it leaves the speaker, in ms. */
      outputLatencyMs: () =>
        Math.round(((context.baseLatency || 0) + (context.outputLatency || 0)) * 1000),
      close() {
        stream.getTracks().forEach((track) => track.stop());
        return context.close();
      },
    };
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    ctx?.close();
    throw error;
  }
}
