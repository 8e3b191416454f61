import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '../../engine/hash.js';

/** The encoding as first written (every object copied with its entries sorted): pack hashes must not move. */
function reference(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

describe('canonicalJson', () => {
  // Keys that sort differently as strings and as array indices ('10' < '2'), and some that collide with prototypes.
  const key = fc.oneof(fc.constantFrom('a', 'b', 'B', 'z', '10', '2', '0', '-1', '1.5', '__proto__', '__proto__x', 'é', 'ab'), fc.string({ maxLength: 3 }));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 8 }),
  }));

  it('writes what copying every object with sorted entries wrote (property)', () => {
    fc.assert(fc.property(json.value, (value) => canonicalJson(value) === reference(value)), { numRuns: 3000 });
  });

  it('sorts keys whatever their order, array indices first as objects list them', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null }, 10: 'ten', 2: 'two' })).toBe('{"2":"two","10":"ten","a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(reference({ b: 2, a: 1 }));
    // A parsed `__proto__` key is an own property: it is written, not taken for the prototype.
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1},"z":1}');
  });
});
