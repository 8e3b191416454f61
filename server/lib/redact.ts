/**
 * Connection strings carry passwords: nothing that can reach a log, a status
 * page or a terminal may show one. One place that removes them.
 */

const DATABASE_URL = /postgres(ql)?:\/\/\S+/g;

/** A message (a driver's error, say) with every PostgreSQL URL in it replaced by `postgres://…`. */
export function redactDatabaseUrls(message: string): string {
  return message.replace(DATABASE_URL, 'postgres://…');
}

/** An error's message, redacted; for values that may not be errors, their text. */
export function safeMessage(error: unknown): string {
  return redactDatabaseUrls((error as Error)?.message ?? String(error));
}

/** A database URL shown without its password, fit for a terminal or a log. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
