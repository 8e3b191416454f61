/** What the pack commands share: their output, one way to print a pack's issues, and stdin. */
import { formatIssue, PackError } from '../index.js';

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Prints a PackError's issues, one located line each, and answers true; anything else is not ours: false. */
export function printPackError(error: unknown, io: CommandIo): boolean {
  if (!(error instanceof PackError)) return false;
  error.issues.forEach((i) => io.err(formatIssue(i)));
  return true;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
