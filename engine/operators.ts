/**
 * Operators that packs may use in `when:` conditions on top of
 * json-rules-engine's own (equal, in, contains, greaterThan, …). One table.
 */
import { Operator } from 'json-rules-engine';

/** `signals` fact value: per post (or sentence), the signal names found there. */
type Groups = readonly (readonly string[])[];

const isGroups = (value: unknown): value is Groups => Array.isArray(value) && value.every(Array.isArray);
const isNames = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

export const operators: readonly Operator[] = [
  // Weak signals combined: some one post (or sentence) holds every named signal.
  new Operator('allInOne', (groups: Groups, names: unknown) => isNames(names) && groups.some((g) => names.every((n) => g.includes(n))), isGroups),
];

export const operatorNames: readonly string[] = operators.map((o) => o.name);
