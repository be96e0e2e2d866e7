// The simulated clinician: ground-truth masks of a data folder (laid out like ../shared/data) stand
// in for corrections. N cases of one kind train, M other cases of the same kind are held out, chosen
// by a seeded shuffle so a run can be repeated.
import { canonicalLungPrompt } from '../data/lung-prompts';
import { createRng, shuffled } from '../data/rng';
import { GROUPS, type Group, listSamples, loadSample, type SampleSource } from '../data/samples';
import type { Split } from './fine-tune-set';
import type { FineTuneItem } from './items';

export interface ClinicianOptions {
  data: string;
  split: string;
  group: Group;
  /** Only cases whose prompt contains this text (case-insensitive), e.g. a lesion type. */
  filter?: string;
  trainCases: number;
  evalCases: number;
  seed: number;
}

async function promptOf(source: SampleSource): Promise<string> {
  if (source.group === 'btxrd') return source.description;
  if (source.group === 'lung') return canonicalLungPrompt(source.target);
  return (await loadSample(source)).text;
}

export async function clinicianSet(o: ClinicianOptions): Promise<Split<FineTuneItem>> {
  if (!GROUPS.includes(o.group)) throw new Error(`--group must be one of ${GROUPS.join(', ')}, got "${o.group}"`);
  for (const [flag, n] of [
    ['--train-cases', o.trainCases],
    ['--eval-cases', o.evalCases],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number ≥ 1, got ${n}`);
  }
  let sources = await listSamples(o.data, o.split, { groups: [o.group] });
  if (sources.length === 0) throw new Error(`${o.data} has no ${o.group} cases in split "${o.split}"`);
  if (o.filter) {
    const wanted = o.filter.toLowerCase();
    const kept: SampleSource[] = [];
    for (const s of sources) if ((await promptOf(s)).toLowerCase().includes(wanted)) kept.push(s);
    sources = kept;
  }
  const need = o.trainCases + o.evalCases;
  if (sources.length < need) {
    throw new Error(
      `${o.data} has ${sources.length} ${o.group} cases in "${o.split}"${o.filter ? ` matching "${o.filter}"` : ''}, fewer than the ${need} asked for`,
    );
  }
  const chosen = shuffled(createRng(o.seed), sources).slice(0, need);
  const items = chosen.map((source): FineTuneItem => ({ kind: 'sample', id: source.id, caseId: source.id, source }));
  return { train: items.slice(0, o.trainCases), heldOut: items.slice(o.trainCases) };
}
