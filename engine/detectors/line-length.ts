import { Type, type Static } from '@sinclair/typebox';
import type { CompiledDetector, DetectorType, Finding } from './detector.js';
import { countCodePoints, countGraphemes } from './text-units.js';

export const lineLengthParams = Type.Object(
  {
    type: Type.Literal('line_length'),
    max: Type.Integer({ minimum: 1, description: 'Longest allowed line, in `counting` units.' }),
    counting: Type.Optional(
      Type.Unsafe<'graphemes' | 'chars'>({
        type: 'string',
        enum: ['graphemes', 'chars'],
        default: 'graphemes',
        description: '`graphemes`: user-perceived characters; `chars`: Unicode code points. Default: graphemes.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LineLengthParams = Static<typeof lineLengthParams>;

export const lineLengthDetector: DetectorType<LineLengthParams> = {
  type: 'line_length',
  vars: ['line', 'length', 'max', 'excess'],
  compile(params): CompiledDetector {
    const { max } = params;
    if (!Number.isInteger(max) || max < 1) throw new Error(`line_length: max must be a positive integer, got ${String(max)}`);
    const measure = (params.counting ?? 'graphemes') === 'chars' ? countCodePoints : countGraphemes;
    return {
      detect({ posts }) {
        const findings: Finding[] = [];
        for (const post of posts) {
          const { text } = post;
          let line = 1;
          for (let start = 0; start <= text.length; line++) {
            const nl = text.indexOf('\n', start);
            const stop = nl === -1 ? text.length : nl;
            // A CRLF line ends before its CR.
            const end = stop > start && text.charCodeAt(stop - 1) === 0x0d ? stop - 1 : stop;
            // Both counts are at most the UTF-16 length, so short lines need no counting.
            const length = end - start > max ? measure(text.slice(start, end)) : 0;
            if (length > max) {
              findings.push({
                post: post.index,
                span: [start, end],
                vars: { line, length, max, excess: length - max },
                edit: { action: 'shorten', span: [start, end], by: length - max, note: 'shorten the line or break it' },
              });
            }
            if (nl === -1) break;
            start = nl + 1;
          }
        }
        return findings;
      },
    };
  },
};
