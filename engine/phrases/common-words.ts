/**
 * How often a word occurs in ordinary posts, coarsely, for choosing a phrase
 * rule's trigger: a rule is only tried in sentences holding its trigger, so the
 * trigger should be its rarest required word. Most frequent first.
 */
const FREQUENT = `the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or
an will my one al would there their what so up out if about who get which go me when make can like time no just him know take people
into year your god some could them se other than then now lok only come its over think also back after use two how our work first wel way
even new want because any these give day most us is are was were has had did been am being does doing im dont thats its youre ive id
il ok yeah lol really very much more many too here got going gona wana let lets need should must might may shal through down still
off again never always every thing things something nothing anything someone somebody anyone everyone everything right good great
love today tomorow night morning week life home man women men girl guy guys friend friends family kids mom dad school job money
post read see look feel tel said says made find where why wil u ur ya yal im youl theyl shes hes were thats whats there theres
dont cant wont didnt isnt arent wasnt should could would and or but not t s re ve d m ll`.split(/\s+/);

// The keys a phrase set looks words up by have their repeated letters folded (`still` is `stil`):
// so the list's words are folded the same way here, the first place of a word counting.
const RANK = new Map<string, number>();
FREQUENT.forEach((word, i) => {
  const key = word.replace(/(.)\1+/g, '$1');
  if (!RANK.has(key)) RANK.set(key, i);
});

/** Lower is rarer: 0 for a word outside the list (and longer than three letters), up to 3 for the most frequent. */
export function frequency(key: string): number {
  const rank = RANK.get(key);
  if (rank !== undefined) return rank < 60 ? 3 : 2;
  return key.length <= 3 ? 1 : 0;
}
