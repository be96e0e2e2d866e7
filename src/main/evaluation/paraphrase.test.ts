import { describe, expect, it } from 'vitest';
import { styleCard } from './paraphrase';

describe("the model card's per-style table", () => {
  it('has a row per style by name, then all prompts weighted by their count, then the line it was written from', () => {
    const summary = {
      'chest-short': { n: 3, dice: 0.8, templateDice: 0.75 },
      'bone-kind': { n: 1, dice: 0.2, templateDice: 0.31 },
    };
    expect(styleCard(summary).split('\n')).toEqual([
      '| style         | prompts | Dice (prompts) | Dice (template, same films) | difference |',
      '| ------------- | ------- | -------------- | --------------------------- | ---------- |',
      '| `bone-kind`   | 1       | 0.200          | 0.310                       | −0.110     |',
      '| `chest-short` | 3       | 0.800          | 0.750                       | +0.050     |',
      '| all           | 4       | 0.650          | 0.640                       | +0.010     |',
      '',
      `Last line: \`${JSON.stringify(summary)}\``,
    ]);
  });

  it('refuses a summary with no style', () => {
    expect(() => styleCard({})).toThrow(/no style was scored/);
  });
});
