import ClientPgLite from 'knex-pglite';

interface QueryObject {
  method?: string;
}
type ProcessResponse = (this: unknown, obj: QueryObject, runner: unknown) => unknown;

const baseProcessResponse = (ClientPgLite.prototype as unknown as { processResponse: ProcessResponse }).processResponse;

/**
 * knex-pglite with one fix: it names a delete's command after knex's method ('DEL', not
 * 'DELETE'), so `.del()` answered the raw result instead of the row count that pg answers.
 */
export class PgliteClient extends ClientPgLite {
  processResponse(obj: QueryObject, runner: unknown): unknown {
    return baseProcessResponse.call(this, obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}
