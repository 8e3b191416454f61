/**
 * Operators that packs may use in `when:` conditions on top of
 * json-rules-engine's own (equal, in, contains, greaterThan, …). One table.
 */
import { Operator } from 'json-rules-engine';

/** `signals` fact value: per post (or sentence), the signal names found there. */
type Groups = readonly (readonly string[])[];

export const isGroups = (value: unknown): value is Groups => Array.isArray(value) && value.every(Array.isArray);
export const isNames = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Whether some one group holds every name (allInOne's callback once both sides are known to be lists). */
export const someGroupHoldsAll = (groups: Groups, names: readonly string[]): boolean => groups.some((g) => names.every((n) => g.includes(n)));

/** Weak signals combined: some one post (or sentence) holds every named signal. */
export const allInOne = new Operator('allInOne', (groups: Groups, names: unknown) => isNames(names) && someGroupHoldsAll(groups, names), isGroups);

export const operators: readonly Operator[] = [allInOne];

export const operatorNames: readonly string[] = operators.map((o) => o.name);
