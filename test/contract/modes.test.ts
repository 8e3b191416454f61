import { describe, expect, it } from 'vitest';
import { effectiveMode, type Mode } from '../../contract/modes.js';

describe('effectiveMode', () => {
  const cases: [Mode, boolean, Mode, Mode][] = [
    // pinned, kill switch, ceiling, effective
    ['enforced', false, 'enforced', 'enforced'],
    ['advisory', false, 'enforced', 'advisory'],
    ['off', false, 'enforced', 'off'],
    ['enforced', false, 'advisory', 'advisory'],
    ['advisory', false, 'advisory', 'advisory'],
    ['off', false, 'advisory', 'off'],
    ['enforced', false, 'off', 'off'],
    ['advisory', false, 'off', 'off'],
    ['enforced', true, 'enforced', 'off'],
    ['advisory', true, 'advisory', 'off'],
  ];
  it.each(cases)('pinned %s, kill switch %s, ceiling %s → %s', (pinned, killSwitch, ceiling, expected) => {
    expect(effectiveMode(pinned, { killSwitch, ceiling })).toBe(expected);
  });
});
