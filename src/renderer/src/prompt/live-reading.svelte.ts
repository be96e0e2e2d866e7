// The reading of the text in the prompt box, kept up to date as the clinician types: asked of main
// (segment:read) once typing pauses, and only the newest answer is kept, so a slow reply for an
// older text never replaces the reading of the newer one.
import { MAX_PROMPT_LENGTH, promptTooLong, type ShownReading } from '../../../shared/shown-reading';

/** Typing pause before the reading is asked, in milliseconds. */
export const READ_DELAY_MS = 150;

/** A reading that names only a problem. */
function problem(text: string): ShownReading {
  return { terms: [], unread: [], moreUnread: 0, coding: null, problem: text, outOfScope: null, didYouMean: null };
}

/** What a prompt over the limit shows instead of a reading (the channels refuse it). */
export function tooLong(length: number): ShownReading {
  return problem(promptTooLong(length));
}

export class LiveReading {
  /** The reading of `text`, or null before the first one arrives. */
  shown = $state.raw<ShownReading | null>(null);
  /** The text `shown` reads. */
  text = $state('');
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  constructor(
    private readonly read: (prompt: string) => Promise<ShownReading>,
    private readonly delayMs = READ_DELAY_MS,
  ) {}

  /** The box now holds `text`: its reading follows after the typing pause. */
  update(text: string): void {
    clearTimeout(this.timer);
    const asked = ++this.asked;
    if (text.length > MAX_PROMPT_LENGTH) {
      this.show(text, tooLong(text.length));
      return;
    }
    this.timer = setTimeout(() => {
      this.read(text).then(
        (reading) => {
          if (asked === this.asked) this.show(text, reading);
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          if (asked === this.asked) this.show(text, problem(`The prompt could not be read: ${message}`));
        },
      );
    }, this.delayMs);
  }

  /** Stops a reading still waiting for the typing pause. */
  dispose(): void {
    clearTimeout(this.timer);
    this.asked++;
  }

  private show(text: string, reading: ShownReading): void {
    this.text = text;
    this.shown = reading;
  }
}
