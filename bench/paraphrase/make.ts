// Writes the paraphrase benchmark: one prompt per val film, worded as a radiologist would word it, from
// the facts of that film's template (chest: sides, zones and count, from the infection and lung masks, as
// the template itself is derived; bone: kind, malignancy, bone, limb, view and count, read from the BTXRD
// description). Each style says a chosen part of those facts in words drawn from the phrase tables below.
// The tables are the benchmark's own, written from how reports word findings, and deliberately not the
// app's lexicon (src/main/prompt/lexicon/), so the benchmark measures the reading rather than echoing it.
// Run: npx tsx bench/paraphrase/make.ts [--data ../shared/data] [--split val] [--seed 1] [--out bench/paraphrase/val.jsonl]
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deriveInfectionFindings, type InfectionFindings } from '../../src/main/data/infection-findings';
import { createRng, deriveSeed, pick, type Rng, shuffled } from '../../src/main/data/rng';
import { listSamples } from '../../src/main/data/samples';
import { readBinaryMask } from '../../src/main/imaging/raster';

type Side = 'left' | 'right';
type Zone = 'upper' | 'middle' | 'lower';

export interface BenchPrompt {
  group: 'infection' | 'btxrd';
  image: string;
  prompt: string;
  style: string;
}

// --- chest ------------------------------------------------------------------------------------------

/** Finding nouns as reports write them: [singular or mass form, plural form]. */
const CHEST_FINDINGS: readonly [string, string][] = [
  ['ground-glass opacity', 'ground-glass opacities'],
  ['ground glass opacity', 'ground glass opacities'],
  ['GGO', 'GGOs'],
  ['consolidation', 'consolidations'],
  ['airspace consolidation', 'areas of airspace consolidation'],
  ['airspace disease', 'airspace disease'],
  ['airspace opacity', 'airspace opacities'],
  ['infiltrate', 'infiltrates'],
  ['patchy opacity', 'patchy opacities'],
  ['hazy opacity', 'hazy opacities'],
  ['patchy airspace opacity', 'patchy airspace opacities'],
  ['ground-glass opacification', 'ground-glass opacification'],
];
const DIAGNOSES = ['COVID-19 pneumonia', 'viral pneumonia', 'COVID pneumonia', 'pneumonia', 'lung infection'];
const SHORT_CHEST = [
  'lung infection',
  'COVID-19 pneumonia',
  'pneumonia',
  'pulmonary infection',
  'COVID-19',
  'covid infection',
];
const ZONE_WORDS: Record<Zone, readonly string[]> = { upper: ['upper'], middle: ['mid', 'middle'], lower: ['lower'] };
const LOBES: Record<Side, Record<Zone, readonly string[]>> = {
  right: {
    upper: ['RUL', 'right upper lobe'],
    middle: ['RML', 'right middle lobe'],
    lower: ['RLL', 'right lower lobe'],
  },
  left: { upper: ['LUL', 'left upper lobe'], middle: ['lingula', 'lingular'], lower: ['LLL', 'left lower lobe'] },
};
const COUNT_WORDS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function sidesOf(f: InfectionFindings): Side[] {
  return (['right', 'left'] as const).filter((s) => f.zones[s].length > 0);
}

function finding(rng: Rng, plural = true): string {
  const [one, many] = pick(rng, CHEST_FINDINGS);
  return plural ? many : one;
}

/** "right lung", "bilateral", "both lungs": the sides only. */
function sidesPhrase(rng: Rng, sides: readonly Side[], f: string): string {
  if (sides.length === 2)
    return pick(rng, [`bilateral ${f}`, `${f} in both lungs`, `bilateral ${f}`, `${f}, both lungs`]);
  const side = sides[0] as Side;
  return pick(rng, [`${side} lung ${f}`, `${f} in the ${side} lung`, `${side}-sided ${f}`, `${f}, ${side} lung`]);
}

/** "right mid and lower zones", "left base", "entire right lung": one side's zones in zone words. */
function sideZones(rng: Rng, side: Side, zones: readonly Zone[]): string {
  if (zones.length === 3) return pick(rng, [`entire ${side} lung`, `whole ${side} lung`]);
  if (zones.length === 1 && zones[0] === 'lower' && rng.next() < 0.4) return `${side} base`;
  if (zones.length === 1 && zones[0] === 'upper' && rng.next() < 0.3) return `${side} apex`;
  const words = zones.map((z) => pick(rng, ZONE_WORDS[z]));
  const joined = words.length === 2 ? `${words[0]} and ${words[1]}` : (words[0] as string);
  return `${side} ${joined} zone${zones.length > 1 ? 's' : ''}`;
}

/** Both sides' zones: "lower zones" when both name the same, else each side in turn. */
function zonesPhrase(rng: Rng, f: InfectionFindings): string {
  const sides = sidesOf(f);
  const [a, b] = sides;
  if (sides.length === 2 && f.zones.left.join() === f.zones.right.join() && f.zones.left.length < 3) {
    const zones = f.zones.left;
    if (zones.length === 1 && zones[0] === 'lower' && rng.next() < 0.5)
      return pick(rng, ['both bases', 'both lower zones']);
    const words = zones.map((z) => pick(rng, ZONE_WORDS[z])).join(' and ');
    return pick(rng, [`both ${words} zones`, `bilateral ${words} zones`]);
  }
  const parts = shuffled(rng, sides).map((s) => sideZones(rng, s, f.zones[s]));
  return b && a ? parts.join(pick(rng, [' and ', ', '])) : (parts[0] as string);
}

/** Lobes for the zones of each side ("RML and RLL", "LUL and lingula"). */
function lobesPhrase(rng: Rng, f: InfectionFindings): string {
  const long = rng.next() < 0.3;
  const lobes = sidesOf(f).flatMap((s) => f.zones[s].map((z) => LOBES[s][z][long ? 1 : 0] as string));
  return lobes.length <= 2 ? lobes.join(' and ') : `${lobes.slice(0, -1).join(', ')} and ${lobes.at(-1)}`;
}

function countPhrase(rng: Rng, n: number, f: [string, string]): string {
  if (n === 1) return pick(rng, [`single focus of ${f[0]}`, `one area of ${f[0]}`, `solitary ${f[0]}`]);
  const number = rng.next() < 0.3 ? String(n) : (COUNT_WORDS[n] ?? String(n));
  return pick(rng, [`${number} areas of ${f[0]}`, `${number} foci of ${f[0]}`, `${number} ${f[1]}`]);
}

const CHEST_STYLES: Record<string, (rng: Rng, f: InfectionFindings) => string> = {
  // The finding alone, no place.
  'chest-short': (rng) => pick(rng, [...SHORT_CHEST, finding(rng), finding(rng, false)]),
  // The finding and the sides, no zones.
  'chest-sided': (rng, f) => sidesPhrase(rng, sidesOf(f), finding(rng)),
  // The finding in zone words.
  'chest-zoned': (rng, f) => {
    const where = zonesPhrase(rng, f);
    const what = finding(rng);
    return pick(rng, [`${what}, ${where}`, `${what} in the ${where}`, `${where} ${what}`]);
  },
  // Lobes, mostly abbreviated.
  'chest-lobar': (rng, f) => {
    const what = finding(rng, rng.next() < 0.5);
    return pick(rng, [`${lobesPhrase(rng, f)} ${what}`, `${what} ${lobesPhrase(rng, f)}`]);
  },
  // How many areas, and where.
  'chest-counted': (rng, f) => {
    const what = pick(rng, CHEST_FINDINGS);
    return `${countPhrase(rng, f.count, what)}, ${zonesPhrase(rng, f)}`;
  },
  // A report sentence: finding, place and a diagnosis.
  'chest-report': (rng, f) => {
    const what = finding(rng);
    const where = zonesPhrase(rng, f);
    const dx = pick(rng, DIAGNOSES);
    return pick(rng, [
      `There are ${what} in the ${where}, in keeping with ${dx}.`,
      `${upperFirst(what)} involving the ${where}, consistent with ${dx}.`,
      `Findings: ${what} in the ${where}. Impression: ${dx}.`,
      `PA chest radiograph shows ${what} in the ${where}, likely ${dx}.`,
    ]);
  },
};

// --- bone -------------------------------------------------------------------------------------------

interface BoneFacts {
  count: number;
  malignant: boolean;
  kind: string;
  bone: string;
  limb: string;
  view: string;
}

const DESCRIPTION =
  /^(\w+) (benign|malignant) (.+?) lesions? in the (.+?) of the (.+?) \((\w+) view\), located in the .+\.$/;

function boneFacts(description: string): BoneFacts {
  const m = DESCRIPTION.exec(description);
  if (!m) throw new Error(`unexpected BTXRD description: ${description}`);
  const word = (m[1] as string).toLowerCase();
  const count = /^\d+$/.test(word) ? Number(word) : COUNT_WORDS.indexOf(word);
  return {
    count,
    malignant: m[2] === 'malignant',
    kind: m[3] as string,
    bone: m[4] as string,
    limb: m[5] as string,
    view: m[6] as string,
  };
}

/** Kinds as reports name them: [singular, plural]; the first is BTXRD's own name. */
const KIND_NAMES: Record<string, readonly [string, string][]> = {
  osteochondroma: [
    ['osteochondroma', 'osteochondromas'],
    ['exostosis', 'exostoses'],
    ['osteocartilaginous exostosis', 'osteocartilaginous exostoses'],
    ['sessile osteochondroma', 'sessile osteochondromas'],
    ['pedunculated exostosis', 'pedunculated exostoses'],
  ],
  osteosarcoma: [
    ['osteosarcoma', 'osteosarcomas'],
    ['osteogenic sarcoma', 'osteogenic sarcomas'],
    ['conventional osteosarcoma', 'osteosarcomas'],
  ],
  'simple bone cyst': [
    ['simple bone cyst', 'simple bone cysts'],
    ['unicameral bone cyst', 'unicameral bone cysts'],
    ['solitary bone cyst', 'solitary bone cysts'],
    ['UBC', 'UBCs'],
  ],
  'giant cell tumor': [
    ['giant cell tumor', 'giant cell tumors'],
    ['giant cell tumour', 'giant cell tumours'],
    ['GCT', 'GCTs'],
    ['osteoclastoma', 'osteoclastomas'],
  ],
  'synovial osteochondroma': [
    ['synovial osteochondroma', 'synovial osteochondromas'],
    ['synovial osteochondromatosis', 'synovial osteochondromatosis'],
    ['synovial chondromatosis', 'synovial chondromatosis'],
  ],
  osteofibroma: [
    ['osteofibroma', 'osteofibromas'],
    ['osteofibrous dysplasia', 'osteofibrous dysplasia'],
    ['ossifying fibroma', 'ossifying fibromas'],
  ],
  'bone tumor': [
    ['bone tumor', 'bone tumors'],
    ['bone tumour', 'bone tumours'],
    ['bone neoplasm', 'bone neoplasms'],
  ],
};
const KIND_ABBREVIATIONS: Record<string, readonly string[]> = {
  osteochondroma: ['OC', 'osteochondroma'],
  osteosarcoma: ['OS', 'osteosarcoma'],
  'simple bone cyst': ['SBC', 'UBC'],
  'giant cell tumor': ['GCT'],
  'synovial osteochondroma': ['synovial OC'],
  osteofibroma: ['OFD'],
  'bone tumor': ['bone tumour', 'bone lesion'],
};
const LESION_WORDS = {
  benign: [
    'lytic lesion',
    'lucent lesion',
    'well-defined lesion',
    'benign-appearing lesion',
    'sclerotic lesion',
    'bone lesion',
  ],
  malignant: [
    'aggressive lesion',
    'destructive lesion',
    'malignant lesion',
    'malignant-appearing bone lesion',
    'lytic lesion',
  ],
};
/** Where a lesion of each BTXRD bone or region is: [noun phrase, adjective or null, abbreviation]. */
const BONE_WORDS: Record<string, readonly [string, string | null, string]> = {
  tibia: ['tibia', 'tibial', 'tib'],
  femur: ['femur', 'femoral', 'fem'],
  humerus: ['humerus', 'humeral', 'hum'],
  fibula: ['fibula', 'fibular', 'fib'],
  ulna: ['ulna', 'ulnar', 'ulna'],
  radius: ['radius', 'radial', 'radius'],
  foot: ['foot', null, 'foot'],
  hand: ['hand', null, 'hand'],
  'hip bone': ['hip bone', 'iliac', 'ilium'],
  'knee joint': ['knee', null, 'knee'],
  'shoulder joint': ['shoulder', null, 'shoulder'],
  'elbow joint': ['elbow', null, 'elbow'],
  'ankle joint': ['ankle', null, 'ankle'],
  'hip joint': ['hip', null, 'hip'],
};
const VIEW_WORDS: Record<string, readonly string[]> = {
  frontal: ['AP', 'frontal', 'anteroposterior'],
  lateral: ['lateral'],
  oblique: ['oblique'],
};

function kindPhrase(rng: Rng, facts: BoneFacts, names: readonly [string, string][]): string {
  const [one, many] = pick(rng, names);
  if (facts.count === 1) return one;
  return rng.next() < 0.5 ? `multiple ${many}` : `${COUNT_WORDS[facts.count] ?? facts.count} ${many}`;
}

function bonePhrase(rng: Rng, bone: string): string {
  const [noun, adjective] = BONE_WORDS[bone] ?? [bone, null, bone];
  return adjective && rng.next() < 0.3 ? `${adjective}` : noun;
}

/** "osteochondroma of the tibia", "tibial osteochondroma", "osteochondroma, tibia". */
function lesionAtBone(rng: Rng, lesion: string, bone: string): string {
  const where = bonePhrase(rng, bone);
  const adjective = BONE_WORDS[bone]?.[1];
  if (where === adjective) return `${where} ${lesion}`;
  return pick(rng, [
    `${lesion} of the ${where}`,
    `${lesion} in the ${where}`,
    `${lesion}, ${where}`,
    `${where} ${lesion}`,
  ]);
}

const BONE_STYLES: Record<string, (rng: Rng, facts: BoneFacts) => string> = {
  // BTXRD's own kind name and the bone.
  'bone-kind': (rng, f) => lesionAtBone(rng, kindPhrase(rng, f, (KIND_NAMES[f.kind] ?? []).slice(0, 1)), f.bone),
  // A synonym of the kind, and the bone.
  'bone-synonym': (rng, f) => {
    const names = KIND_NAMES[f.kind] ?? [];
    return lesionAtBone(rng, kindPhrase(rng, f, names.length > 1 ? names.slice(1) : names), f.bone);
  },
  // No kind: what the lesion looks like, and the bone.
  'bone-no-kind': (rng, f) => lesionAtBone(rng, pick(rng, LESION_WORDS[f.malignant ? 'malignant' : 'benign']), f.bone),
  // Abbreviated kind and bone, as in a worklist note.
  'bone-abbreviated': (rng, f) =>
    `${pick(rng, KIND_ABBREVIATIONS[f.kind] ?? [f.kind])} ${(BONE_WORDS[f.bone] ?? [f.bone, null, f.bone])[2]}`,
  // A report sentence with the view and the limb.
  'bone-report': (rng, f) => {
    const view = pick(rng, VIEW_WORDS[f.view] ?? [f.view]);
    const lesion = kindPhrase(rng, f, KIND_NAMES[f.kind] ?? []);
    const bone = (BONE_WORDS[f.bone] ?? [f.bone])[0];
    const nature = f.malignant ? 'malignant' : 'benign';
    const natured = f.count === 1 ? `a ${nature} ${lesion}` : lesion.replace(/^(\S+) /, `$1 ${nature} `);
    return pick(rng, [
      `${view} radiograph of the ${f.limb}: ${lesion} of the ${bone}.`,
      `${upperFirst(view)} view shows ${natured} in the ${bone}.`,
      `Findings: ${lesion} in the ${bone} (${view} view), ${nature} appearance.`,
    ]);
  },
};

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// --- the file ---------------------------------------------------------------------------------------

/** The benchmark's prompts on `split`: each film gets one style, the styles in turn over a seeded order. */
export async function makeBenchmark(dataDir: string, split: string, seed: number): Promise<BenchPrompt[]> {
  const sources = await listSamples(dataDir, split, { groups: ['infection', 'btxrd'] });
  const out: BenchPrompt[] = [];
  const chestStyles = Object.keys(CHEST_STYLES);
  const boneStyles = Object.keys(BONE_STYLES);
  const order = shuffled(
    createRng(seed),
    sources.map((_, i) => i),
  );
  let chestTurn = 0;
  let boneTurn = 0;
  const byIndex = new Map<number, BenchPrompt>();
  for (const i of order) {
    const source = sources[i];
    if (!source) continue;
    const rng = createRng(deriveSeed(seed, i));
    if (source.group === 'infection') {
      const [infection, lungs] = await Promise.all([
        readBinaryMask(source.maskPath),
        readBinaryMask(source.lungMaskPath),
      ]);
      const findings = deriveInfectionFindings(infection, lungs);
      if (findings.count === 0) continue;
      const style = chestStyles[chestTurn++ % chestStyles.length] as string;
      const image = relative(join(dataDir, 'covid-qu-ex', split), source.imagePath);
      byIndex.set(i, {
        group: 'infection',
        image,
        prompt: (CHEST_STYLES[style] as (typeof CHEST_STYLES)[string])(rng, findings),
        style,
      });
    } else if (source.group === 'btxrd') {
      const style = boneStyles[boneTurn++ % boneStyles.length] as string;
      const image = relative(join(dataDir, 'btxrd', split), source.imagePath);
      const facts = boneFacts(source.description);
      byIndex.set(i, {
        group: 'btxrd',
        image,
        prompt: (BONE_STYLES[style] as (typeof BONE_STYLES)[string])(rng, facts),
        style,
      });
    }
  }
  for (const i of sources.map((_, i) => i)) {
    const item = byIndex.get(i);
    if (item) out.push(item);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/data' },
      split: { type: 'string', default: 'val' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'bench/paraphrase/val.jsonl' },
    },
  });
  const prompts = await makeBenchmark(resolve(values.data), values.split, Number(values.seed));
  // Posix separators, so the file is the same on every system.
  const lines = prompts.map((p) => JSON.stringify({ ...p, image: p.image.split('\\').join('/') }));
  await writeFile(resolve(values.out), `${lines.join('\n')}\n`);
  const styles = new Map<string, number>();
  for (const p of prompts) styles.set(p.style, (styles.get(p.style) ?? 0) + 1);
  process.stderr.write(`${prompts.length} prompts → ${values.out}\n${JSON.stringify(Object.fromEntries(styles))}\n`);
}
