// Runs a TrainProgram: parameters and AdamW moments live in host Float32Arrays between
// steps. Two sets of buffers alternate as inputs and preallocated outputs, so ORT reads
// one set in place and writes the updated values straight into the other: no copies.
import type * as ort from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../shared/segment-types';
import { normal } from './random';
import { type HostArray, hostTensor, type OpenedSession, openSession, type SessionOptions } from './session';
import { inputName, type ParamSpec, type StepModel, type TrainProgram } from './train-step';

export type Batch = Record<string, HostArray>;

export interface StepResult {
  step: number;
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  metrics: Record<string, number>;
}

/** Everything needed to resume training: see checkpoint.ts for the file format. */
export interface TrainerState {
  steps: number;
  params: Record<string, Float32Array>;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

interface BufferSet {
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
  tensors: { params: ort.Tensor[]; m: ort.Tensor[]; v: ort.Tensor[] };
}

function bufferSet(specs: readonly ParamSpec[], fill?: (p: ParamSpec, i: number) => Float32Array[]): BufferSet {
  const make = (k: number) => specs.map((p, i) => (fill ? (fill(p, i)[k] as Float32Array) : new Float32Array(p.size)));
  const params = make(0);
  const m = make(1);
  const v = make(2);
  const wrap = (list: Float32Array[]) => list.map((b, i) => hostTensor(b, (specs[i] as ParamSpec).shape));
  return { params, m, v, tensors: { params: wrap(params), m: wrap(m), v: wrap(v) } };
}

export function initialParams(specs: readonly ParamSpec[], seed: number): Float32Array[] {
  const sample = normal(seed);
  return specs.map((p) => {
    const out = new Float32Array(p.size);
    if (p.init.kind === 'ones') out.fill(1);
    else if (p.init.kind === 'normal')
      for (let i = 0; i < out.length; i++) out[i] = sample() * (p.init as { std: number }).std;
    else if (p.init.kind === 'values') out.set(p.init.values);
    return out;
  });
}

export interface TrainerOptions extends SessionOptions {
  /** Seed for parameter initialisation (ignored when `state` is given). */
  seed?: number;
  /** Resume from this state (e.g. a loaded checkpoint). */
  state?: TrainerState;
}

export class Trainer {
  private current: BufferSet;
  private next: BufferSet;
  private accumulators: [Float32Array[], Float32Array[]] | null = null;
  private stepsDone: number;

  private constructor(
    readonly program: TrainProgram,
    private readonly fused: OpenedSession,
    private readonly sessionOptions: SessionOptions,
    state: TrainerState | undefined,
    seed: number,
  ) {
    const specs = program.params;
    if (state) {
      for (const p of specs) {
        for (const [kind, rec] of Object.entries({ params: state.params, m: state.m, v: state.v })) {
          const b = rec[p.name];
          if (!b || b.length !== p.size) throw new Error(`state is missing ${kind} ${p.name} (${p.size} floats)`);
        }
      }
    }
    const init = state ? null : initialParams(specs, seed);
    this.current = bufferSet(specs, (p, i) =>
      state
        ? [
            Float32Array.from(state.params[p.name]!),
            Float32Array.from(state.m[p.name]!),
            Float32Array.from(state.v[p.name]!),
          ]
        : [init![i]!, new Float32Array(p.size), new Float32Array(p.size)],
    );
    this.next = bufferSet(specs);
    this.stepsDone = state?.steps ?? 0;
  }

  static async create(program: TrainProgram, options: TrainerOptions = {}): Promise<Trainer> {
    const sessionOptions: SessionOptions = {
      ...(options.executionProvider ? { executionProvider: options.executionProvider } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.spin === undefined ? {} : { spin: options.spin }),
    };
    const fused = await openSession(program.fused.model, sessionOptions);
    return new Trainer(program, fused, sessionOptions, options.state, options.seed ?? 0);
  }

  /** The provider running the step, and why the requested one was not, if it was not. */
  get provider(): { name: ExecutionProviderName; fallbackReason?: string } {
    return {
      name: this.fused.provider,
      ...(this.fused.fallbackReason ? { fallbackReason: this.fused.fallbackReason } : {}),
    };
  }

  get steps(): number {
    return this.stepsDone;
  }

  /** Current parameter values by name (live views: copy them to keep a snapshot). */
  parameters(): Record<string, Float32Array> {
    return Object.fromEntries(this.program.params.map((p, i) => [p.name, this.current.params[i] as Float32Array]));
  }

  /** A copy of parameters, moments and step count. */
  state(): TrainerState {
    const rec = (list: Float32Array[]) =>
      Object.fromEntries(this.program.params.map((p, i) => [p.name, Float32Array.from(list[i] as Float32Array)]));
    return { steps: this.stepsDone, params: rec(this.current.params), m: rec(this.current.m), v: rec(this.current.v) };
  }

  private batchFeeds(batch: Batch): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, spec] of Object.entries(this.program.batch)) {
      const data = batch[name];
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (!data) throw new Error(`batch is missing "${name}"`);
      if (data.length !== size) throw new Error(`batch "${name}" has ${data.length} values, expected ${size}`);
      feeds[name] = hostTensor(data, spec.shape);
    }
    for (const name of Object.keys(batch)) {
      if (!(name in this.program.batch)) throw new Error(`batch has unknown input "${name}"`);
    }
    return feeds;
  }

  /** Feeds for the current state, and fetches that write the new state into the spare buffers. */
  private stateIo(model: StepModel, lr: number) {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a finite number ≥ 0, got ${lr}`);
    const feeds: Record<string, ort.Tensor> = {
      [inputName.step]: hostTensor(new Float32Array([this.stepsDone + 1]), []),
      [inputName.lr]: hostTensor(new Float32Array([lr]), []),
    };
    this.program.params.forEach((p, i) => {
      feeds[p.name] = this.current.tensors.params[i] as ort.Tensor;
      feeds[inputName.m(p.name)] = this.current.tensors.m[i] as ort.Tensor;
      feeds[inputName.v(p.name)] = this.current.tensors.v[i] as ort.Tensor;
    });
    const fetches: Record<string, ort.Tensor | null> = {};
    model.params?.forEach((n, i) => {
      fetches[n] = this.next.tensors.params[i] as ort.Tensor;
    });
    model.m?.forEach((n, i) => {
      fetches[n] = this.next.tensors.m[i] as ort.Tensor;
    });
    model.v?.forEach((n, i) => {
      fetches[n] = this.next.tensors.v[i] as ort.Tensor;
    });
    return { feeds, fetches };
  }

  private swap(): void {
    [this.current, this.next] = [this.next, this.current];
    this.stepsDone++;
  }

  /**
   * One optimiser step. An array of batches accumulates their gradients (averaged) before
   * the update, for effective batches larger than one call can hold.
   */
  async step(batch: Batch | readonly Batch[], lr: number): Promise<StepResult> {
    if (Array.isArray(batch)) return this.accumulatedStep(batch as readonly Batch[], lr);
    const model = this.program.fused;
    const io = this.stateIo(model, lr);
    const feeds = { ...io.feeds, ...this.batchFeeds(batch as Batch) };
    const fetches = { ...io.fetches, [model.loss!]: null, [model.gradNorm!]: null };
    for (const n of Object.values(model.metrics)) fetches[n] = null;
    const out = await this.fused.session.run(feeds, fetches);
    this.swap();
    return this.result(model, out, Number(out[model.loss!]!.data[0]), Number(out[model.gradNorm!]!.data[0]));
  }

  private result(model: StepModel, out: ort.InferenceSession.ReturnType, loss: number, gradNorm: number): StepResult {
    const metrics = Object.fromEntries(Object.entries(model.metrics).map(([k, n]) => [k, Number(out[n]!.data[0])]));
    return { step: this.stepsDone, loss, gradNorm, metrics };
  }

  private accumulate: OpenedSession | null = null;
  private update: OpenedSession | null = null;

  private async accumulatedStep(batches: readonly Batch[], lr: number): Promise<StepResult> {
    if (batches.length === 0) throw new Error('no batches to accumulate');
    this.accumulate ??= await openSession(this.program.accumulate.model, this.sessionOptions);
    this.update ??= await openSession(this.program.update.model, this.sessionOptions);
    const specs = this.program.params;
    this.accumulators ??= [specs.map((p) => new Float32Array(p.size)), specs.map((p) => new Float32Array(p.size))];
    let [acc, spare] = this.accumulators;
    for (const a of acc) a.fill(0);
    const acm = this.program.accumulate;
    let lossSum = 0;
    const metricSums: Record<string, number> = {};
    for (const batch of batches) {
      const feeds = this.batchFeeds(batch);
      specs.forEach((p, i) => {
        feeds[p.name] = this.current.tensors.params[i] as ort.Tensor;
        feeds[inputName.acc(p.name)] = hostTensor(acc[i] as Float32Array, p.shape);
      });
      const fetches: Record<string, ort.Tensor | null> = { [acm.loss!]: null };
      acm.grads?.forEach((n, i) => {
        fetches[n] = hostTensor(spare[i] as Float32Array, (specs[i] as ParamSpec).shape);
      });
      for (const n of Object.values(acm.metrics)) fetches[n] = null;
      const out = await this.accumulate.session.run(feeds, fetches);
      [acc, spare] = [spare, acc];
      lossSum += Number(out[acm.loss!]!.data[0]);
      for (const [k, n] of Object.entries(acm.metrics)) metricSums[k] = (metricSums[k] ?? 0) + Number(out[n]!.data[0]);
    }
    this.accumulators = [acc, spare];
    const um = this.program.update;
    const { feeds, fetches } = this.stateIo(um, lr);
    feeds[inputName.gradScale] = hostTensor(new Float32Array([1 / batches.length]), []);
    specs.forEach((p, i) => {
      feeds[inputName.acc(p.name)] = hostTensor(acc[i] as Float32Array, p.shape);
    });
    const out = await this.update.session.run(feeds, { ...fetches, [um.gradNorm!]: null });
    this.swap();
    const metrics = Object.fromEntries(Object.entries(metricSums).map(([k, v]) => [k, v / batches.length]));
    return {
      step: this.stepsDone,
      loss: lossSum / batches.length,
      gradNorm: Number(out[um.gradNorm!]!.data[0]),
      metrics,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.fused, this.accumulate, this.update].map((s) => s?.session.release()));
  }
}
