// The Fine-tune panel's state: the workspace's set (what the clinician unticks is left out, and the run
// is given the ticked ids), how the ticked cases split, the settings, a run with
// its live progress and loss curve, the result, and the versions with activation and rollback. The run
// is one long call; prompts keep going through their own channel meanwhile.
import {
  FINETUNE_THUMB,
  type FineTuneDefaults,
  type FineTuneProgressEvent,
  type FineTuneSetItem,
  type VersionList,
  type VersionSummary,
} from '../../../shared/finetune-types';
import { IpcError, type NextmaskApi } from '../../../shared/ipc';
import { unpackBits } from '../../../shared/labelmap/bits';
import { planOf, type RoundPlan } from './guidance';

/** A FINETUNE_THUMB² picture: a grey image and a mask over it (1 = in the mask). */
export interface Overlay {
  grey: Uint8Array;
  mask: Uint8Array;
}

const THUMB_PIXELS = FINETUNE_THUMB * FINETUNE_THUMB;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class FineTuneState {
  items = $state<FineTuneSetItem[]>([]);
  excluded = $state<Record<string, boolean>>({});
  settings = $state<FineTuneDefaults>({ epochs: 8, lr: 1e-4, guard: 'l2' });
  includeManual = $state(false);
  running = $state(false);
  /** The latest progress event, and the train loss of every step so far. */
  progress = $state<FineTuneProgressEvent | null>(null);
  losses = $state<number[]>([]);
  result = $state<VersionSummary | null>(null);
  versions = $state<VersionList | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);

  constructor(
    private readonly api: NextmaskApi,
    /** Called after a version is activated (the segmenter's status shows the new model). */
    private readonly onactivated: () => void = () => {},
  ) {
    api.on('finetune:progress', (p) => {
      this.progress = p;
      if (p.phase === 'train') this.losses = [...this.losses, p.loss];
    });
  }

  async load(): Promise<void> {
    this.error = null;
    try {
      const set = await this.api.invoke('finetune:set', { includeManual: this.includeManual });
      this.items = set.items;
      if (!this.running) this.settings = { ...set.defaults, ...this.settingsIfChanged() };
      this.versions = await this.api.invoke('versions:list', {});
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  private changed = false;
  private settingsIfChanged(): Partial<FineTuneDefaults> {
    return this.changed ? this.settings : {};
  }
  touchSettings(): void {
    this.changed = true;
  }

  /** A held-out case's answer (packed bits) over the case's thumbnail from the set (black once it left the set). */
  heldOutPicture(id: string, answer: Uint8Array): Overlay {
    return {
      grey: this.items.find((i) => i.id === id)?.thumbnail ?? new Uint8Array(THUMB_PIXELS),
      mask: unpackBits(answer, THUMB_PIXELS),
    };
  }

  /** The items ticked for the next run. */
  get chosen(): FineTuneSetItem[] {
    return this.items.filter((i) => !this.excluded[i.id]);
  }

  get included(): number {
    return this.chosen.length;
  }

  /** How the ticked cases will split. */
  get plan(): RoundPlan {
    return planOf(this.chosen.map((i) => i.caseId));
  }

  /** Cases (studies) behind the result's held-out answers. */
  get resultHeldOut(): number {
    const caseOf = (id: string) => this.items.find((i) => i.id === id)?.caseId ?? id;
    return new Set(this.result?.cases.map((c) => caseOf(c.id))).size;
  }

  async start(): Promise<void> {
    this.running = true;
    this.error = null;
    this.message = null;
    this.result = null;
    this.losses = [];
    this.progress = null;
    try {
      this.result = await this.api.invoke('finetune:run', {
        ...this.settings,
        includeManual: this.includeManual,
        include: this.chosen.map((i) => i.id),
      });
      this.message = `Version ${this.result.id} is ready: held-out Dice ${this.result.before.toFixed(3)} → ${this.result.after.toFixed(3)}`;
      this.versions = await this.api.invoke('versions:list', {});
    } catch (err) {
      if (err instanceof IpcError && err.code === 'cancelled')
        this.message = 'Fine-tuning cancelled; nothing was changed';
      else this.error = messageOf(err);
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    await this.api.invoke('finetune:cancel', {});
  }

  async activate(id: string): Promise<void> {
    this.error = null;
    try {
      this.versions = await this.api.invoke('versions:activate', { id });
      this.message =
        id === 'base' ? 'The shipped model answers prompts again' : `Version ${id} answers the next prompt`;
      this.onactivated();
    } catch (err) {
      this.error = messageOf(err);
    }
  }
}

/** What the progress line says. */
export function describeProgress(p: FineTuneProgressEvent | null): string {
  if (!p) return 'Starting…';
  switch (p.phase) {
    case 'before':
      return `Scoring the active model on held-out cases ${p.done}/${p.total}`;
    case 'after':
      return `Scoring the new version on held-out cases ${p.done}/${p.total}`;
    case 'held-back':
      return `Epoch ${p.epoch}: answering the held-back cases ${p.done}/${p.total}`;
    case 'epoch':
      return `Epoch ${p.epoch}: held-out loss ${p.heldOutLoss.toFixed(4)} · held-back Dice ${p.decodedDice.toFixed(3)}`;
    case 'train':
      return `Epoch ${p.epoch}/${p.epochs} · step ${p.step}/${p.steps} · loss ${p.loss.toFixed(4)} · ETA ${Math.round(p.etaSeconds)} s`;
  }
}

/** SVG polyline points of `values` scaled into a width x height box. */
export function curvePoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * dx).toFixed(1)},${(height - ((v - lo) / span) * height).toFixed(1)}`).join(' ');
}
