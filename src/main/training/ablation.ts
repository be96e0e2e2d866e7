// The loss ablation the model card reports: the same config and step budget, trained five times with
// different losses switched on (NTP is always on), each scored on val the same way.
import type { LossConfig } from '../model/config';
import type { TrainConfig } from './train-config';

export const ABLATION_VARIANTS = ['ntp', 'ntp+nktp', 'ntp+tcl', 'ntp+het', 'all'] as const;
export type AblationVariant = (typeof ABLATION_VARIANTS)[number];

/** Which of the three optional losses each variant turns on. */
const SWITCHES: Record<AblationVariant, { nktp: boolean; tcl: boolean; het: boolean }> = {
  ntp: { nktp: false, tcl: false, het: false },
  'ntp+nktp': { nktp: true, tcl: false, het: false },
  'ntp+tcl': { nktp: false, tcl: true, het: false },
  'ntp+het': { nktp: false, tcl: false, het: true },
  all: { nktp: true, tcl: true, het: true },
};

/** The base config with only the variant's losses enabled (settings kept) and its own run folder. */
export function ablationConfig(base: TrainConfig, variant: AblationVariant): TrainConfig {
  const on = SWITCHES[variant];
  const losses: LossConfig = {
    nktp: { ...base.losses.nktp, enabled: on.nktp },
    tcl: { ...base.losses.tcl, enabled: on.tcl },
    het: { ...base.losses.het, enabled: on.het },
  };
  return { ...base, out: `${base.out}/${variant.replaceAll('+', '-')}`, losses };
}
