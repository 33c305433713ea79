// Sound and vibration that differ by result, so staff know without looking:
// green one high beep, amber two middle beeps, red three low long beeps.

const PATTERNS = {
  green: { tones: [[880, 0.12]], vibrate: [80] },
  amber: { tones: [[620, 0.12], [620, 0.12]], vibrate: [120, 80, 120] },
  red: { tones: [[300, 0.3], [300, 0.3], [300, 0.3]], vibrate: [400, 120, 400, 120, 400] },
};

let audio = null;

// Browsers only allow sound after a tap: call this from a click handler.
export function unlockSound() {
  if (audio || !("AudioContext" in globalThis)) return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

export function signal(colour) {
  const pattern = PATTERNS[colour] || PATTERNS.red;
  if (navigator.vibrate) {
    try {
      navigator.vibrate(pattern.vibrate);
    } catch {
      /* vibration is a courtesy */
    }
  }
  if (!audio) return;
  if (audio.state === "suspended") audio.resume();
  let at = audio.currentTime;
  for (const [frequency, length] of pattern.tones) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.3, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + length + 0.02);
    at += length + 0.08;
  }
}
