// The answer's pcm16 -> the speakers, through a ring buffer (no gaps, no copies on the page).
// Pieces arrive as transferred Int16Array buffers; the ring grows (rarely) if the service
// sends faster than real time for longer than it holds. It counts what it played, in all
// and of the current answer (from its "start"), and says when that answer's first sample
// is rendered: the page reports the count to the server, which cuts an interrupted
// answer there (what the user heard).
const PREBUFFER = 2400; // 100 ms at 24 kHz before the first sample, so a slow start is no gap
const REPORT_IDLE = 8; // render quanta between reports (8 x 128 samples: about 43 ms)...
const REPORT_PLAYING = 2; // ...and while an answer plays (about 11 ms)

class Playback extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ring = new Float32Array(1 << 20); // about 43 s at 24 kHz
    this.readAt = 0;
    this.count = 0; // samples waiting in the ring
    this.started = false; // playing (after the prebuffer)
    this.ended = false; // the answer is complete: play out what is left
    this.played = 0; // samples played, in all
    this.appended = 0; // samples received, in all (less what a flush dropped)
    this.mark = 0; // `appended` when the current answer started: its samples come after
    this.waitingFirst = false; // the current answer's first sample is not played yet
    this.sumSq = 0;
    this.underruns = 0;
    this.quanta = 0;
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    if (message.type === "pcm") this.append(new Int16Array(message.buffer));
    else if (message.type === "end") this.ended = true;
    else if (message.type === "start") {
      this.ended = false;
      this.mark = this.appended;
      this.waitingFirst = true;
    } else if (message.type === "flush") {
      this.readAt = 0;
      this.count = 0;
      this.appended = this.played;
      this.started = false;
      this.ended = false;
      this.waitingFirst = false;
      this.report("flushed");
    }
  }

  append(pcm) {
    if (this.count + pcm.length > this.ring.length) this.grow(this.count + pcm.length);
    const size = this.ring.length;
    let at = (this.readAt + this.count) % size;
    for (let i = 0; i < pcm.length; i++) {
      this.ring[at] = pcm[i] / 32768;
      at = at + 1 === size ? 0 : at + 1;
    }
    this.count += pcm.length;
    this.appended += pcm.length;
  }

  grow(needed) {
    let size = this.ring.length * 2;
    while (size < needed) size *= 2;
    const bigger = new Float32Array(size);
    const first = Math.min(this.count, this.ring.length - this.readAt);
    bigger.set(this.ring.subarray(this.readAt, this.readAt + first), 0);
    bigger.set(this.ring.subarray(0, this.count - first), first);
    this.ring = bigger;
    this.readAt = 0;
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (!this.started && this.count > 0 && (this.count >= PREBUFFER || this.ended)) {
      this.started = true;
    }
    if (this.started) {
      const size = this.ring.length;
      const n = Math.min(out.length, this.count);
      for (let i = 0; i < n; i++) {
        const s = this.ring[this.readAt];
        out[i] = s;
        this.sumSq += s * s;
        this.readAt = this.readAt + 1 === size ? 0 : this.readAt + 1;
      }
      const before = this.played;
      this.count -= n;
      this.played += n;
      if (this.waitingFirst && this.played > this.mark) { // the answer's first sample
        this.waitingFirst = false;
        const offset = Math.max(0, this.mark - before);
        this.port.postMessage({ type: "first", contextTime: currentTime + offset / sampleRate });
      }
      if (n < out.length) {
        if (this.ended) {
          this.started = false;
          this.ended = false;
          this.report("drained");
        } else {
          this.underruns += 1; // a gap: the answer arrives slower than it plays
        }
      }
    }
    if (++this.quanta % (this.started ? REPORT_PLAYING : REPORT_IDLE) === 0) this.report();
    return true;
  }

  report(type = "stats") {
    this.port.postMessage({
      type,
      played: this.played,
      answerPlayed: Math.max(0, this.played - this.mark),
      sumSq: this.sumSq,
      underruns: this.underruns,
      buffered: this.count,
      playing: this.started,
    });
  }
}

registerProcessor("playback", Playback);
