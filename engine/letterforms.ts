/**
 * Decorative Latin letterforms that Unicode's confusables data (unhomoglyph)
 * and NFKD leave alone: negative squared and negative circled letters
 * (🅵🆄🅲🅺), regional-indicator letters (🇫🇺🇨🇰), small capitals (ꜱʜɪᴛ),
 * Canadian-syllabics look-alikes (ᑭᑌᔕᔕY), the cent sign (¢). The data comes
 * from the `confusables` package's alphabet map, limited to the blocks below:
 * its map also folds letters of living scripts (Hebrew, Thai, CJK, Ethiopic)
 * to Latin, which would turn ordinary text in those scripts into Latin words.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { alphabetMap } = require('confusables') as { alphabetMap: Map<string, string[]> };

/** [first, last] code points of the blocks whose look-alikes are decoration, not writing. */
const DECORATIVE_BLOCKS: readonly [number, number][] = [
  [0x00a2, 0x00a2], // ¢
  [0x0250, 0x02af], // IPA extensions: small capitals ɪ ʜ ʀ ʏ ʙ ɢ ɴ ʟ
  [0x1400, 0x167f], // Canadian syllabics used by "fancy text" generators: ᑭ ᑌ ᔕ
  [0x1d00, 0x1dbf], // phonetic extensions: small capitals ᴀ ᴄ ᴅ ᴇ ᴋ ᴛ ᴜ
  [0x2c60, 0x2c7f], // Latin extended-C
  [0xa720, 0xa7ff], // Latin extended-D: ꜱ ꜰ ꝗ
  [0x1f100, 0x1f1ff], // enclosed alphanumeric supplement: 🅵 🅐 🇫
];

/** Gaps in the package's map, all Latin letters named "LATIN LETTER SMALL CAPITAL x" by Unicode. */
const SMALL_CAPITALS: Readonly<Record<string, string>> = {
  '\uA730': 'f', // ꜰ
  '\uA731': 's', // ꜱ
  '\u1D0F': 'o', // ᴏ
  '\u1D1B': 't', // ᴛ
  '\u1D1C': 'u', // ᴜ
  '\u1D20': 'v', // ᴠ
  '\u1D21': 'w', // ᴡ
  '\u1D22': 'z', // ᴢ
  '\u0280': 'r', // ʀ
  '\u028F': 'y', // ʏ
  '\u026A': 'i', // ɪ
  '\u029C': 'h', // ʜ
  '\u0262': 'g', // ɢ
  '\u0274': 'n', // ɴ
  '\u029F': 'l', // ʟ
  '\u0299': 'b', // ʙ
  '\u1D00': 'a', // ᴀ
  '\u1D04': 'c', // ᴄ
  '\u1D05': 'd', // ᴅ
  '\u1D07': 'e', // ᴇ
  '\u1D0A': 'j', // ᴊ
  '\u1D0B': 'k', // ᴋ
  '\u1D0D': 'm', // ᴍ
  '\u1D18': 'p', // ᴘ
  '\uA7AF': 'q', // ꞯ
};

function decorative(cp: number): boolean {
  return DECORATIVE_BLOCKS.some(([first, last]) => cp >= first && cp <= last);
}

function buildMap(): Map<number, string> {
  const map = new Map<number, string>();
  for (const [latin, lookalikes] of alphabetMap) {
    if (!/^[a-zA-Z]$/.test(latin)) continue;
    for (const ch of lookalikes) {
      const cp = ch.codePointAt(0)!;
      if (ch.length === String.fromCodePoint(cp).length && decorative(cp)) map.set(cp, latin.toLowerCase());
    }
  }
  for (const [ch, latin] of Object.entries(SMALL_CAPITALS)) map.set(ch.codePointAt(0)!, latin);
  return map;
}

const LETTERFORMS = buildMap();

/** The Latin letter a decorative letterform stands for, or undefined. */
export function decorativeLetter(cp: number): string | undefined {
  return LETTERFORMS.get(cp);
}
