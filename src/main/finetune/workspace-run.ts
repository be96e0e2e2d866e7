// A fine-tuning round on a workspace: its set (fine-tune-set.ts), split by case, trained in a worker
// from the active model, and kept as a new version (versions.ts). The new version is not activated:
// the clinician looks at the before/after first.

import type { ExecutionProviderChoice } from '../../shared/segment-types';
import { providersFor } from '../engine/execution-provider';
import type { Workspace } from '../store/workspace';
import { chosenEntries, splitByCase, workspaceSet } from './fine-tune-set';
import { DEFAULT_SETTINGS, type FineTuneProgress, type FineTuneSettings } from './job';
import { runInWorker } from './job-client';
import { explainNoRoom, type ModelVersions, type VersionInfo } from './versions';

export interface RoundOptions {
  settings?: Partial<FineTuneSettings>;
  includeManual?: boolean;
  /** The items (by id) the clinician ticked in the panel; absent: the whole set. */
  include?: readonly string[];
  /** The app's provider choice, as the segmenter's ('auto': the GPU providers, then the CPU); default the CPU. */
  executionProvider?: ExecutionProviderChoice;
  onProgress?: (p: FineTuneProgress) => void;
  signal?: AbortSignal;
}

export async function fineTuneWorkspace(
  workspace: Workspace,
  versions: ModelVersions,
  options: RoundOptions = {},
): Promise<VersionInfo> {
  const set = await workspaceSet(workspace, { includeManual: options.includeManual ?? false });
  const entries = options.include ? chosenEntries(set, options.include) : set;
  const { train, heldOut } = splitByCase(entries.map((e) => e.item));
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const requested = options.executionProvider ?? 'cpu';
  const parent = await versions.active();
  const hetMemory = await versions.hetMemory(parent);
  const staging = await versions.stage();
  try {
    const result = await runInWorker(
      {
        modelDir: versions.modelDir(parent),
        ...(hetMemory ? { hetMemory } : {}),
        train,
        heldOut,
        settings,
        outDir: staging,
        executionProvider: providersFor(requested),
      },
      {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    const { provider } = result;
    if (provider.fallbackReason) console.warn(`fine-tuning: trained on ${provider.name}: ${provider.fallbackReason}`);
    return await versions.commit(
      staging,
      {
        parent,
        cases: {
          train: train.filter((i) => !result.heldBack.includes(i.id)).map((i) => i.id),
          heldBack: result.heldBack,
          heldOut: heldOut.map((i) => i.id),
        },
        settings,
        provider: { requested, ...provider },
        metrics: {
          before: result.before,
          after: result.after,
          cases: result.cases,
          epochs: result.epochs,
          bestEpoch: result.bestEpoch,
          lesionCut: result.lesionCut,
          verdict: result.verdict,
          seconds: result.seconds,
        },
      },
      result.hetMemory,
    );
  } catch (err) {
    await versions.discard(staging);
    throw explainNoRoom(
      err,
      `the new version could not be written to ${versions.dir}; nothing was changed and the active model is still ${parent}`,
    );
  }
}
