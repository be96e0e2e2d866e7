// How chest reports write findings and places, as data: written forms → canonical terms (common.ts says
// how forms are written). The zone tables are the lung gate's unit (thirds of each lung's height,
// src/main/data/infection-findings.ts); a lobe names the zones it projects over on a frontal film.
import type { KnownCoding } from '../../../shared/labelmap/coding';
import type { Entry, Side, Table, Zone } from './common';

/** The codings a chest finding's segment takes (DICOM SEG, src/shared/labelmap/coding.ts). */
export type LungFindingCoding = Extract<
  KnownCoding,
  'infiltrate' | 'consolidation' | 'nodule' | 'atelectasis' | 'lung-lesion'
>;

export interface Finding extends Entry {
  /** How its segment is coded: what a radiologist would code this word as on a chest film. */
  coding: LungFindingCoding;
  /** Bone prompts use the word too ("lesion"): it alone does not make a prompt about the chest. */
  sharedWithBone?: boolean;
}

/**
 * What a chest prompt finds. Every one of them is, on this model's films, the infection it was trained on;
 * the infection words (ground glass, airspace, pneumonia, COVID-19) are coded as the infection finding is.
 */
export const FINDINGS: Table<Finding> = {
  name: 'finding',
  entries: [
    {
      term: 'ground-glass opacity',
      coding: 'infiltrate',
      forms: ['ground-glass opacity', 'ground-glass opacification', 'ground-glass', 'groundglass', 'ggo', 'ggos'],
    },
    {
      term: 'consolidation',
      coding: 'consolidation',
      forms: ['consolidation', 'consolidative opacity', 'consolidated', 'airspace consolidation', 'consolidative'],
    },
    {
      term: 'airspace opacity',
      coding: 'infiltrate',
      forms: ['airspace opacity', 'airspace disease', 'air-space opacity', 'air space opacity', 'alveolar opacity'],
    },
    {
      term: 'infiltrate',
      coding: 'infiltrate',
      forms: ['infiltrate', 'infiltration', 'infiltrative change', 'interstitial infiltrate'],
    },
    {
      term: 'opacity',
      coding: 'infiltrate',
      forms: ['opacity', 'opacification', 'opacified', 'shadowing', 'shadow', 'haziness', 'haze'],
    },
    {
      term: 'pneumonia',
      coding: 'infiltrate',
      forms: ['pneumonia', 'pneumonitis', 'bronchopneumonia', 'viral pneumonia', 'covid pneumonia', 'lung infection'],
    },
    {
      term: 'COVID-19',
      coding: 'infiltrate',
      forms: ['covid-19', 'covid', 'covid19', 'sars-cov-2', 'coronavirus', 'coronavirus disease'],
    },
    {
      term: 'infection',
      coding: 'infiltrate',
      forms: ['infection', 'infected area', 'infected region', 'area of infection', 'infective change', 'infected'],
    },
    { term: 'lesion', coding: 'lung-lesion', sharedWithBone: true, forms: ['lesion'] },
    { term: 'nodule', coding: 'nodule', forms: ['nodule', 'nodular opacity'] },
    { term: 'atelectasis', coding: 'atelectasis', forms: ['atelectasis', 'collapse'] },
  ],
};

/** Words that say what a finding looks like without changing what it is ("patchy", "hazy"). */
export const MODIFIERS: Table = {
  name: 'modifier',
  entries: [
    {
      term: '',
      forms: [
        ...['patchy', 'hazy', 'diffuse', 'multifocal', 'focal', 'subtle', 'dense', 'faint', 'mild', 'moderate'],
        ...['severe', 'extensive', 'scattered', 'streaky', 'confluent', 'ill-defined', 'poorly defined'],
        ...['multiple', 'several', 'widespread', 'viral', 'acute', 'early', 'rounded', 'reticular', 'nodular'],
        ...['increased', 'mixed', 'interstitial', 'pulmonary parenchymal', 'parenchymal', 'airspace'],
      ],
    },
  ],
};

/** The lungs themselves, or the chest. */
export const LUNGS: Table = {
  name: 'lung',
  entries: [
    { term: 'lung', forms: ['lung', 'lung field', 'pulmonary', 'lung zone', 'hemithorax'] },
    { term: 'chest', forms: ['chest', 'thorax', 'thoracic', 'cxr', 'chest x-ray', 'chest radiograph'] },
  ],
};

/** A third of a lung's height, and the words reports use for one. */
export const ZONE_WORDS: Table<Entry & { term: Zone }> = {
  name: 'zone',
  entries: [
    { term: 'upper', forms: ['upper', 'upper zone', 'apex', 'apices', 'apical', 'top', 'superior'] },
    {
      term: 'middle',
      forms: ['middle', 'mid', 'mid zone', 'midzone', 'mid-lung', 'hilar', 'hilum', 'hila', 'perihilar', 'parahilar'],
    },
    {
      term: 'lower',
      forms: ['lower', 'lower zone', 'base', 'bases', 'basal', 'basilar', 'bibasal', 'bibasilar', 'inferior'],
    },
  ],
};

/** Where across a lung: read, not gated (the gate cuts by height only). */
export const DISTRIBUTION: Table = {
  name: 'distribution',
  entries: [
    { term: 'peripheral', forms: ['peripheral', 'periphery', 'subpleural', 'peripherally'] },
    { term: 'central', forms: ['central', 'centrally'] },
  ],
};

/** "Lobe" as a word: a zone word beside it names a lobe, which covers more than its own third. */
export const LOBE_WORDS: Table = { name: 'lobe word', entries: [{ term: 'lobe', forms: ['lobe', 'lobar'] }] };

export interface Lobe extends Entry {
  side: Side;
  zones: readonly Zone[];
}

// A lobe on a frontal film projects over more than its own third: the lower lobes reach up behind the
// hila, the middle lobe and the lingula sit beside the heart low down. Zones are the gate's unit, so a
// lobe names every zone it covers.
export const LOBES: Table<Lobe> = {
  name: 'lobe',
  entries: [
    { term: 'RUL', forms: ['rul', 'right upper lobe'], side: 'right', zones: ['upper', 'middle'] },
    { term: 'RML', forms: ['rml', 'right middle lobe'], side: 'right', zones: ['middle', 'lower'] },
    { term: 'RLL', forms: ['rll', 'right lower lobe'], side: 'right', zones: ['middle', 'lower'] },
    { term: 'LUL', forms: ['lul', 'left upper lobe'], side: 'left', zones: ['upper', 'middle'] },
    { term: 'lingula', forms: ['lingula', 'lingular', 'lingular segment'], side: 'left', zones: ['middle', 'lower'] },
    { term: 'LLL', forms: ['lll', 'left lower lobe'], side: 'left', zones: ['middle', 'lower'] },
  ],
};

/** What a zone word names beside "lobe": the lobe's zones (LOBES). */
export const LOBE_ZONES: Record<Zone, readonly Zone[]> = {
  upper: ['upper', 'middle'],
  middle: ['middle', 'lower'],
  lower: ['middle', 'lower'],
};

/** Whole-lung words: "entire right lung" names every zone. */
export const WHOLE: Table = {
  name: 'whole',
  entries: [{ term: 'all', forms: ['all', 'entire', 'whole', 'throughout', 'panlobar', 'all zones'] }],
};

/** Tables any of whose words makes a prompt about the chest ("GGO", "RLL", "lung"; not a word sharedWithBone). */
export const NAMES_CHEST: readonly Table[] = [FINDINGS, LUNGS, LOBES, LOBE_WORDS];

export const CHEST_TABLES: readonly Table[] = [
  FINDINGS,
  MODIFIERS,
  LUNGS,
  ZONE_WORDS,
  DISTRIBUTION,
  LOBE_WORDS,
  LOBES,
  WHOLE,
];
