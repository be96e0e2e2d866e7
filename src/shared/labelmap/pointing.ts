// Words for where a clinician pointed (an AI segment's box and clicks): the segment row, the answer's
// message and the SEG's segment description say it the same way.
import type { Pointing } from './segments';

/** "box + 2 clicks". */
export function describePointing(p: Pointing): string {
  const n = p.clicks.length;
  const clicks = n > 0 ? `${n} click${n === 1 ? '' : 's'}` : '';
  return [p.box ? 'box' : '', clicks].filter(Boolean).join(' + ');
}
