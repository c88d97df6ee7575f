// Microphone -> pcm16 frames of 20 ms (480 samples at 24 kHz), each with its loudness (RMS).
// Runs on the audio thread; the frames are transferred (not copied) to the page.
const FRAME = 480;

class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.sumSq = 0;
  }

  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      let s = input[i];
      if (s > 1) s = 1;
      else if (s < -1) s = -1;
      this.sumSq += s * s;
      this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === FRAME) {
        const rms = Math.sqrt(this.sumSq / FRAME);
        this.port.postMessage({ pcm: this.frame, rms }, [this.frame.buffer]);
        this.frame = new Int16Array(FRAME);
        this.filled = 0;
        this.sumSq = 0;
      }
    }
    return true;
  }
}

registerProcessor("capture", Capture);
