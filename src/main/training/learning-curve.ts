// Learning curves from a run's train.log.jsonl: step lines binned into means (loss, each loss term,
// teacher-forced accuracy) plus the val evaluations, as a Markdown table and a small SVG for the model card.

export interface CurveBin {
  fromStep: number;
  toStep: number;
  loss: number;
  ntp: number;
  accuracy: number;
  /** Mean seconds per step (data + step) over the bin. */
  seconds: number;
}

export interface ValPoint {
  step: number;
  /** Per-group mean Dice of the evaluation at that step. */
  dice: Record<string, number>;
}

export interface Curves {
  bins: CurveBin[];
  val: ValPoint[];
}

const GROUPS = ['infection', 'lung', 'btxrd'];

/** Parses the log (later lines win for a step logged twice, as after a resume) and bins every `binSteps`. */
export function learningCurves(logText: string, binSteps: number): Curves {
  if (!Number.isInteger(binSteps) || binSteps < 1) throw new Error('binSteps must be a positive integer');
  const steps = new Map<number, { loss: number; ntp: number; accuracy: number; ms: number }>();
  const val = new Map<number, ValPoint>();
  for (const [i, line] of logText.split('\n').entries()) {
    if (!line.trim()) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`log line ${i + 1} is not JSON`);
    }
    const step = entry.step as number;
    if (entry.type === 'step') {
      steps.set(step, {
        loss: entry.loss as number,
        ntp: (entry.ntp as number) ?? Number.NaN,
        accuracy: (entry.accuracy as number) ?? Number.NaN,
        ms: ((entry.dataMs as number) ?? 0) + ((entry.stepMs as number) ?? 0),
      });
    } else if (entry.type === 'val') {
      const dice: Record<string, number> = {};
      for (const g of GROUPS) {
        const m = entry[g] as { dice?: number } | undefined;
        if (typeof m?.dice === 'number') dice[g] = m.dice;
      }
      val.set(step, { step, dice });
    }
  }
  const bins: CurveBin[] = [];
  const ordered = [...steps.entries()].sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < ordered.length; ) {
    const first = ordered[i]?.[0] as number;
    const bin = Math.floor((first - 1) / binSteps);
    const members: (typeof ordered)[number][] = [];
    while (i < ordered.length && Math.floor(((ordered[i]?.[0] as number) - 1) / binSteps) === bin) {
      members.push(ordered[i] as (typeof ordered)[number]);
      i++;
    }
    const mean = (f: (v: { loss: number; ntp: number; accuracy: number; ms: number }) => number) =>
      members.reduce((s, [, v]) => s + f(v), 0) / members.length;
    bins.push({
      fromStep: first,
      toStep: members.at(-1)?.[0] as number,
      loss: mean((v) => v.loss),
      ntp: mean((v) => v.ntp),
      accuracy: mean((v) => v.accuracy),
      seconds: mean((v) => v.ms) / 1000,
    });
  }
  return { bins, val: [...val.values()].sort((a, b) => a.step - b.step) };
}

export function curvesMarkdown(c: Curves): string {
  const rows = c.bins.map(
    (b) =>
      `| ${b.fromStep}–${b.toStep} | ${b.loss.toFixed(3)} | ${b.ntp.toFixed(3)} | ${b.accuracy.toFixed(3)} | ${b.seconds.toFixed(2)} |`,
  );
  const valRows = c.val.map(
    (v) => `| ${v.step} | ${GROUPS.map((g) => (v.dice[g] === undefined ? '–' : v.dice[g].toFixed(3))).join(' | ')} |`,
  );
  return [
    '| steps | loss | NTP (all heads) | teacher-forced accuracy | s/step |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `| val at step | ${GROUPS.join(' Dice | ')} Dice |`,
    `| --- | ${GROUPS.map(() => '---').join(' | ')} |`,
    ...valRows,
    '',
  ].join('\n');
}

/** Training loss (left axis, blue) and accuracy (0..1, right axis, orange) against step. */
export function curvesSvg(c: Curves, width = 640, height = 320): string {
  const pad = 40;
  if (c.bins.length === 0) throw new Error('no training steps in the log');
  const maxStep = c.bins.at(-1)?.toStep as number;
  const maxLoss = Math.max(...c.bins.map((b) => b.loss));
  const x = (step: number) => pad + ((width - 2 * pad) * step) / maxStep;
  const y = (v: number, max: number) => height - pad - ((height - 2 * pad) * v) / max;
  const line = (f: (b: CurveBin) => number, max: number) =>
    c.bins.map((b) => `${x(b.toStep).toFixed(1)},${y(f(b), max).toFixed(1)}`).join(' ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<title>Training loss and teacher-forced accuracy over ${maxStep} steps</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="black"/>`,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle">step (max ${maxStep})</text>`,
    `<text x="4" y="${pad - 8}" fill="#1f77b4">loss (max ${maxLoss.toFixed(2)})</text>`,
    `<text x="${width - 4}" y="${pad - 8}" text-anchor="end" fill="#ff7f0e">accuracy (0–1)</text>`,
    `<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${line((b) => b.loss, maxLoss)}"/>`,
    `<polyline fill="none" stroke="#ff7f0e" stroke-width="1.5" points="${line((b) => b.accuracy, 1)}"/>`,
    '</svg>',
    '',
  ].join('\n');
}
