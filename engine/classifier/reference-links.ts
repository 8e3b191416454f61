/**
 * Links to news, reference, science and public bodies, which the text models read as a cited link
 * (`^`, no weight) rather than as any link (`/`, which leans hard towards TOS: people's spam is full
 * of links). A service's posts point at such pages whatever they say: one bare news link appended
 * to every test post (with "#AI") took TOS false positives from 1.5 % to 4.5 %. In the corpus 408
 * harmless posts link to these hosts against six TOS posts, and none of those by the host alone.
 *
 * By host, not by text: `irs.gov.refund-claim.com` and `counciltax-refund-gov.uk` are not public
 * bodies. Hosts where anyone publishes (video, forms, sites, shorteners, social networks) are
 * left out on purpose: scams live there too.
 */

// Public bodies and education: .gov, .edu, .int, .mil, with or without a country (.gov.uk, .edu.au),
// and the country forms .gouv.fr, .gob.mx, .govt.nz, .ac.uk.
const PUBLIC_HOST = /\.(?:(?:gov|edu|int|mil)(?:\.[a-z]{2})?|(?:gouv|gob|govt|ac)\.[a-z]{2})$/;

const REFERENCE_HOSTS = new Set([
  // news
  'apnews.com', 'reuters.com', 'bbc.com', 'bbc.co.uk', 'nytimes.com', 'washingtonpost.com', 'wsj.com', 'ft.com',
  'theguardian.com', 'economist.com', 'bloomberg.com', 'npr.org', 'pbs.org', 'cnn.com', 'nbcnews.com', 'cbsnews.com',
  'abcnews.go.com', 'aljazeera.com', 'dw.com', 'france24.com', 'lemonde.fr', 'elpais.com', 'spiegel.de', 'abc.net.au',
  'cbc.ca', 'rnz.co.nz', 'thehindu.com', 'scmp.com', 'nhk.or.jp', 'axios.com', 'politico.com', 'theatlantic.com',
  // reference and science
  'wikipedia.org', 'wikimedia.org', 'britannica.com', 'nature.com', 'science.org', 'sciencedirect.com', 'cell.com',
  'nejm.org', 'thelancet.com', 'bmj.com', 'jamanetwork.com', 'plos.org', 'arxiv.org', 'biorxiv.org', 'medrxiv.org',
  // (.gov and .int hosts such as ncbi.nlm.nih.gov and who.int are public hosts above)
  'doi.org', 'mayoclinic.org', 'clevelandclinic.org', 'nhs.uk', 'un.org', 'europa.eu',
  'oecd.org', 'worldbank.org', 'imf.org', 'ourworldindata.org', 'pewresearch.org', 'statista.com',
  // documentation
  'github.com', 'developer.mozilla.org', 'docs.python.org', 'nodejs.org', 'w3.org', 'ietf.org', 'rfc-editor.org',
]);

/** Is the link at text[from, to) to a news, reference or public host (above)? */
export function isReferenceLink(text: string, from: number, to: number): boolean {
  const host = hostOf(text.slice(from, to));
  if (PUBLIC_HOST.test(host)) return true;
  for (let dot = -1; ; ) {
    if (REFERENCE_HOSTS.has(host.slice(dot + 1))) return true;
    dot = host.indexOf('.', dot + 1);
    if (dot < 0) return false;
  }
}

function hostOf(link: string): string {
  const bare = link.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const end = bare.search(/[/?#:]/);
  return (end < 0 ? bare : bare.slice(0, end)).toLowerCase().replace(/\.$/, '');
}
