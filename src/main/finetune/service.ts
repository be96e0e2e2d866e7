// Fine-tuning for the app: the set as the panel shows it, one run at a time (in a worker, so prompts
// keep being answered by the active model meanwhile), the versions, and activation, which points the
// segmenter at the chosen model so the next prompt uses it without a restart.
import type {
  FineTuneProgressEvent,
  FineTuneResults,
  FineTuneSetItem,
  VersionList,
  VersionSummary,
} from '../../shared/finetune-types';
import { FINETUNE_THUMB } from '../../shared/finetune-types';
import type { ExecutionProviderChoice } from '../../shared/segment-types';
import { resizeBilinear, resizeNearest } from '../imaging/resample';
import type { Workspace } from '../store/workspace';
import { workspaceSet } from './fine-tune-set';
import { loadItem } from './items';
import { DEFAULT_SETTINGS, type Guard } from './job';
import type { ModelVersions, VersionInfo } from './versions';
import { fineTuneWorkspace } from './workspace-run';

/** A stored answer mask as bytes (a plain Uint8Array: the wire codec refuses Buffer). */
const bitsOf = (base64: string) => Uint8Array.from(Buffer.from(base64, 'base64'));

export function versionSummary(v: VersionInfo): VersionSummary {
  return {
    id: v.id,
    parent: v.parent,
    createdAt: v.createdAt,
    before: v.metrics.before,
    after: v.metrics.after,
    trainCases: v.cases.train.length,
    heldBackCases: v.cases.heldBack?.length ?? 0,
    heldOutCases: v.cases.heldOut.length,
    verdict: v.metrics.verdict?.text ?? null,
    cases: v.metrics.cases.map(({ id, text, before, after, beforeMask, afterMask }) => ({
      id,
      text,
      before,
      after,
      beforeMask: bitsOf(beforeMask),
      afterMask: bitsOf(afterMask),
    })),
    epochs: v.metrics.epochs.map(({ epoch, trainLoss, heldOutLoss, decodedDice }) => ({
      epoch,
      trainLoss,
      heldOutLoss,
      decodedDice: decodedDice ?? null,
    })),
  };
}

export class FineTuneService {
  private running: AbortController | null = null;

  constructor(
    private readonly workspace: () => Workspace,
    readonly versions: ModelVersions,
    /** Where the segmenter takes its model from (SegmenterService.setModelDir). */
    private readonly useModel: (dir: string) => void,
    private readonly emit: (p: FineTuneProgressEvent) => void,
    /** The segmenter's provider choice: runs train where prompts are answered. */
    private readonly executionProvider: ExecutionProviderChoice,
  ) {}

  async set(includeManual = false): Promise<FineTuneResults['finetune:set']> {
    const entries = await workspaceSet(this.workspace(), { includeManual });
    const items: FineTuneSetItem[] = [];
    for (const e of entries) {
      const loaded = await loadItem(e.item);
      const grey = resizeBilinear(loaded.image, FINETUNE_THUMB, FINETUNE_THUMB);
      items.push({
        id: e.item.id,
        caseId: e.item.caseId,
        prompt: e.item.prompt,
        source: e.source,
        proposalDice: e.proposalDice,
        thumbnail: Uint8Array.from(grey.data, (x) => Math.round(Math.min(1, Math.max(0, x)) * 255)),
        mask: resizeNearest(loaded.mask, FINETUNE_THUMB, FINETUNE_THUMB).data,
      });
    }
    const { epochs, lr, guard } = DEFAULT_SETTINGS;
    return { items, defaults: { epochs, lr, guard }, running: this.running !== null };
  }

  async run(request: {
    epochs: number;
    lr: number;
    guard: Guard;
    includeManual?: boolean;
    /** The set's items the clinician ticked: only these train and measure. */
    include: string[];
  }): Promise<VersionSummary> {
    if (this.running) throw new Error('a fine-tuning run is already going on');
    const controller = new AbortController();
    this.running = controller;
    try {
      const info = await fineTuneWorkspace(this.workspace(), this.versions, {
        settings: { epochs: request.epochs, lr: request.lr, guard: request.guard },
        includeManual: request.includeManual ?? false,
        include: request.include,
        executionProvider: this.executionProvider,
        onProgress: this.emit,
        signal: controller.signal,
      });
      return versionSummary(info);
    } finally {
      this.running = null;
    }
  }

  cancel(): boolean {
    this.running?.abort();
    return this.running !== null;
  }

  async list(): Promise<VersionList> {
    return {
      active: await this.versions.active(),
      versions: (await this.versions.list()).map(versionSummary),
    };
  }

  async activate(id: string): Promise<VersionList> {
    await this.versions.activate(id);
    this.useModel(await this.versions.activeDir());
    return this.list();
  }
}
