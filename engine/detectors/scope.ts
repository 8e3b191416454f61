import { Type } from '@sinclair/typebox';

/**
 * The `scope` param of a detector that checks a thread: `thread` (anywhere in the thread, the
 * default) or `post` (in every post). `description` says what that means for the detector.
 */
export function scopeParam(description: string) {
  return Type.Optional(
    Type.Unsafe<'thread' | 'post'>({
      type: 'string',
      enum: ['thread', 'post'],
      default: 'thread',
      description,
    }),
  );
}
