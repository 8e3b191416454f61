/**
 * A compiled pack's `resolved` document, kept as JSON text between reads.
 */
import type { CompiledPack } from './compile.js';
import type { ResolvedPack } from './pack-schema.js';

/**
 * Sets `resolved` as a getter over the document's JSON text (3.8 MB for the default pack, one
 * string that the GC never traces) instead of the document itself (~400k objects for every major
 * GC to mark; issue 14). A read returns the copy last returned while anyone still holds it, else
 * parses the text again (~60 ms): it is read at start-up and by tooling, never per evaluation;
 * worker threads are sent `resolvedJson`, the text itself. The text keeps the document's key order.
 */
export function keepResolved(pack: Omit<CompiledPack, 'resolved' | 'resolvedJson'>, resolved: ResolvedPack, text = JSON.stringify(resolved)): CompiledPack {
  let last = new WeakRef(resolved);
  return Object.defineProperties(pack, {
    resolved: {
      enumerable: true,
      get(): ResolvedPack {
        let doc = last.deref();
        if (!doc) {
          doc = JSON.parse(text) as ResolvedPack;
          last = new WeakRef(doc);
        }
        return doc;
      },
    },
    // The text itself, for whoever sends the document on (worker threads): no parse and
    // stringify again. Not enumerable: a pack logged or spread does not carry 3.8 MB along.
    resolvedJson: { enumerable: false, value: text },
  }) as CompiledPack;
}
