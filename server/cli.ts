#!/usr/bin/env node
/**
 * The `gatehouse` command: a dispatcher, nothing more. Pack tooling (check,
 * test, eval, diff, score, schemas) lives in engine/tooling/ and needs no
 * database; the service commands (serve, migrate, keys, report, audit) live
 * beside their features in server/ and reach the database through
 * createConfig and db/database-command.ts. Each is loaded only when asked for.
 */

const USAGE = `usage: gatehouse <command>
  check [--no-collisions] [--wordlists DIR] DIR…   validate and compile every pack under DIR, then run the
                                   lexicon collision finder over the dictionaries in /usr/share/dict
  test DIR…                        run every pack's tests/*.yaml
  eval --pack DIR [--json] [--explain] [--platform P] [TEXT]   evaluate TEXT (or stdin); --explain traces phrase rules and guards
  eval --pack DIR --jsonl          one {"id","content"} per stdin line → one decision line each
  diff OLD NEW --corpus FILE.jsonl [--format markdown|json] [--fail-on-change]   policy impact of a pack change
  score --pack DIR --corpus FILE|DIR [--format text|json|markdown] [--min-recall R] [--max-fp R] [--floors FILE] [--summary]
                                   recall and false positives per label and family on a labelled corpus
  schemas [--write]                check (or rewrite) engine/schema/*.json from the TypeBox schemas
  serve                            start the HTTP service (same as npm start)
  migrate                          apply database migrations
  keys list|rotate [--revoke]      receipt signing keys: list them, or rotate to a new one
  report readiness --stage S [--window 72h] [--format json|text]   readiness (burn-in) report and verdict
  audit prune --older-than 30d --export DIR | --no-export | --dry-run   retention: archive, verify, delete`;

const print = (line: string) => process.stdout.write(`${line}\n`);
const printErr = (line: string) => process.stderr.write(`${line}\n`);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return (await import('../engine/tooling/pack-commands.js')).checkCommand(rest);
    case 'test':
      return (await import('../engine/tooling/pack-commands.js')).testCommand(rest);
    case 'eval':
      return (await import('../engine/tooling/eval-command.js')).evalCommand(rest);
    case 'diff': {
      const [{ diffCommand }, { publishedPacks }] = await Promise.all([import('../engine/tooling/diff-command.js'), import('./packs/published-packs.js')]);
      return diffCommand(rest, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
        published: publishedPacks(process.env, process.cwd()),
      });
    }
    case 'score':
      return (await import('../engine/tooling/score-command.js')).scoreCommand(rest, { out: print, err: printErr });
    case 'schemas':
      return (await import('../engine/tooling/schemas-command.js')).schemasCommand(rest.includes('--write'));
    case 'serve':
      await (await import('./main.js')).serve(process.env);
      return -1; // keeps running
    case 'migrate':
      return (await import('./db/migrate-command.js')).migrateCommand(process.env);
    case 'keys':
      return (await import('./receipts/keys-command.js')).keysCommand(rest, process.env);
    case 'report':
      return (await import('./reports/report-command.js')).reportCommand(rest, process.env);
    case 'audit':
      return (await import('./audit/retention/audit-command.js')).auditCommand(rest, process.env);
    default:
      printErr(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    printErr(`gatehouse: ${(error as Error).message ?? String(error)}`);
    process.exitCode = 1;
  },
);
