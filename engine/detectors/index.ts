import type { DetectorType } from './detector.js';
import { lexiconDetector } from './lexicon.js';
import { patternDetector } from './pattern.js';
import { postLengthDetector } from './post-length.js';
import { numberingDetector } from './numbering.js';
import { lineLengthDetector } from './line-length.js';
import { policyTagsDetector } from './policy-tags.js';
import { citationDetector } from './citation.js';
import { phraseDetector } from './phrase.js';
import { classifierDetector } from './classifier.js';

/** Every detector type a pack may name, by its `type`. */
export const detectorTypes: ReadonlyMap<string, DetectorType<never>> = new Map(
  [
    lexiconDetector,
    patternDetector,
    postLengthDetector,
    numberingDetector,
    lineLengthDetector,
    policyTagsDetector,
    citationDetector,
    phraseDetector,
    classifierDetector,
  ].map((d) => [d.type, d as DetectorType<never>]),
);
