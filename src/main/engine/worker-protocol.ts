// Messages between TrainingWorker (caller's thread) and training-worker.ts (the training thread).
import type { ExecutionProviderName } from '../../shared/segment-types';
import type { AdamWConfig } from './adamw';
import type { Batch, StepResult, TrainerState } from './trainer';
import type { DecoderConfig } from './transformer';

/** What to train: a serialisable description, turned into a TrainProgram inside the worker. */
export type ModelSpec = { kind: 'decoder'; config: DecoderConfig; batch: number; seq: number };

export interface WorkerSpec {
  model: ModelSpec;
  optimizer?: Partial<AdamWConfig>;
  executionProvider?: ExecutionProviderName;
  /** ORT intra-op threads; leave one core for the UI when fine-tuning in the app. */
  threads?: number;
  seed?: number;
  /** Resume from this checkpoint file. */
  checkpoint?: string;
}

/** One entry per optimiser step; an array of batches is accumulated into one step. */
export interface TrainJob {
  steps: (Batch | Batch[])[];
  /** One learning rate for every step, or one per step. */
  lr: number | number[];
}

export type Request =
  | { id: number; type: 'init'; spec: WorkerSpec; cancelFlag: SharedArrayBuffer }
  | { id: number; type: 'train'; job: TrainJob }
  | { id: number; type: 'state' }
  | { id: number; type: 'save'; path: string; config: unknown }
  | { id: number; type: 'export' };

export interface Ready {
  provider: string;
  fallbackReason?: string;
  steps: number;
  parameters: number;
}

export interface TrainSummary {
  /** Optimiser steps completed by this job. */
  completed: number;
  cancelled: boolean;
  last?: StepResult;
}

export type Reply =
  | { id: number; type: 'ok'; value: Ready | TrainSummary | TrainerState | Uint8Array | null }
  | { id: number; type: 'error'; message: string }
  | { id: number; type: 'progress'; index: number; total: number; result: StepResult };
