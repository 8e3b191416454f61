import { describe, expect, it } from 'vitest';
import { parseSource, SourceError } from '../../engine/source.js';

describe('pack source files', () => {
  it('reads a JSON file with JSON.parse and still locates a member by line for a problem report', () => {
    const doc = parseSource('m.json', '{\n "label": "tos",\n "features": {\n  "w:free": 1.5\n }\n}\n');
    expect(doc.data).toEqual({ label: 'tos', features: { 'w:free': 1.5 } });
    expect(doc.locate(['features', 'w:free'])).toEqual({ line: 4, column: 3 });
  });

  it('reports broken JSON with its line, through the YAML parser', () => {
    let error: unknown;
    try {
      parseSource('m.json', '{\n "label": "tos",\n "features": {\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).issues[0]).toMatchObject({ file: 'm.json', line: expect.any(Number) });
  });

  it('keeps the unique-key check for YAML', () => {
    expect(() => parseSource('p.yaml', 'id: a\nid: b\n')).toThrow(SourceError);
  });
});
