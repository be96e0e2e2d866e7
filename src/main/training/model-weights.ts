// A model folder's trained weights, read back out of its prefill graph (exportInference embeds every
// parameter as a named float32 initializer), with the training config model.json keeps. So a shipped
// model can be trained further (the zoom model from its own weights, the base on a GPU): its run's
// checkpoint is not shipped, and a fresh machine has none.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_TYPE_CODE } from '../engine/graph';
import { readFields, readPackedVarints } from '../engine/protobuf';
import { makeTrainStep } from '../engine/train-step';
import { type ArchitectureConfig, DEFAULT_LOSSES } from '../model/config';
import { MODEL_FILES, readModelFile } from '../model-files/model-folder';
import type { TrainConfig } from './train-config';
import { modelBatch, modelLoss } from './train-graph';

/** Field numbers of onnx.proto: ModelProto.graph, GraphProto.initializer, and TensorProto's. */
const ONNX = { graph: 7, initializer: 5, dims: 1, dataType: 2, name: 8, rawData: 9 } as const;

export interface FloatInitializer {
  dims: number[];
  data: Float32Array;
}

/** The float32 initializers (raw_data) of an ONNX model, by name; other types are skipped. */
export function floatInitializers(model: Uint8Array): Map<string, FloatInitializer> {
  const graph = readFields(model).find((f) => f.field === ONNX.graph)?.value;
  if (!(graph instanceof Uint8Array)) throw new Error('not an ONNX model: it has no graph');
  const out = new Map<string, FloatInitializer>();
  for (const init of readFields(graph)) {
    if (init.field !== ONNX.initializer || !(init.value instanceof Uint8Array)) continue;
    let name = '';
    let type = 0;
    let raw: Uint8Array | null = null;
    const dims: number[] = [];
    for (const f of readFields(init.value)) {
      if (f.field === ONNX.name && f.value instanceof Uint8Array) name = Buffer.from(f.value).toString('utf8');
      else if (f.field === ONNX.dataType) type = Number(f.value);
      else if (f.field === ONNX.rawData && f.value instanceof Uint8Array) raw = f.value;
      else if (f.field === ONNX.dims)
        dims.push(...(f.value instanceof Uint8Array ? readPackedVarints(f.value) : [Number(f.value)]));
    }
    if (type !== DATA_TYPE_CODE.float32 || !raw) continue;
    // Copied: raw_data need not be 4-byte aligned inside the file.
    const data = new Float32Array(raw.byteLength / 4);
    new Uint8Array(data.buffer).set(raw);
    out.set(name, { dims, data });
  }
  return out;
}

export interface ModelWeights {
  architecture: ArchitectureConfig;
  /** model.json's `training` config, when the model was exported from a run (null otherwise). */
  config: TrainConfig | null;
  /** model.json's training step count (0 when it has none). */
  steps: number;
  params: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
}

/** Every trainable parameter of the model in `dir`, as the trainer names and shapes them. */
export async function modelWeights(dir: string): Promise<ModelWeights> {
  const file = await readModelFile(dir);
  const training = (file.training ?? {}) as { steps?: number; config?: TrainConfig };
  const config = training.config ?? null;
  const losses = config?.losses ?? DEFAULT_LOSSES;
  const program = makeTrainStep({
    batch: modelBatch(file.architecture, losses, 1),
    loss: modelLoss(file.architecture, losses),
  });
  const path = join(dir, MODEL_FILES.prefill);
  const found = floatInitializers(await readFile(path));
  const params: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const p of program.params) {
    const init = found.get(p.name);
    if (!init) throw new Error(`${path} has no weights for parameter ${p.name}`);
    if (init.data.length !== p.size || init.dims.join('x') !== p.shape.join('x'))
      throw new Error(`${path}: ${p.name} is ${init.dims.join('x')}, the architecture says ${p.shape.join('x')}`);
    params[p.name] = init.data;
    shapes[p.name] = [...p.shape];
  }
  return { architecture: file.architecture, config, steps: training.steps ?? 0, params, shapes };
}
