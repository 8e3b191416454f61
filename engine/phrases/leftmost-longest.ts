/**
 * From the [rule, start, end] triples of `events`: per rule, the leftmost match, the longest at
 * that start, then the next that does not overlap. Returns the offsets in `events` of the triples
 * kept, in (rule, start) order: one array of numbers, not an array per triple.
 */
export function leftmostLongest(events: readonly number[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < events.length; i += 3) order.push(i);
  // Array.prototype.sort is stable: equal triples keep their order, as when each was an array.
  if (order.length > 1) order.sort((a, b) => events[a]! - events[b]! || events[a + 1]! - events[b + 1]! || events[b + 2]! - events[a + 2]!);
  let kept = 0;
  let rule = -1;
  let free = 0;
  for (const e of order) {
    if (events[e] !== rule) {
      rule = events[e]!;
      free = 0;
    }
    if (events[e + 1]! < free) continue;
    order[kept++] = e;
    free = events[e + 2]!;
  }
  order.length = kept;
  return order;
}

/** Below this many matches `byPosition` sorts by insertion; above, with `sort` (no quadratic time on a long post). */
const INSERTION_UP_TO = 16;

/**
 * Matches by start, the longer first at one start: the order of `sort` with that comparator,
 * stable as it is. A post's few matches are sorted by insertion: `sort` called the comparator
 * through the builtin for each comparison, ~0.4 µs for the ten matches of the post with violations.
 */
export function byPosition(matches: { from: number; to: number }[]): void {
  if (matches.length > INSERTION_UP_TO) {
    matches.sort((a, b) => a.from - b.from || b.to - a.to);
    return;
  }
  for (let i = 1; i < matches.length; i++) {
    const m = matches[i]!;
    let j = i - 1;
    // Past every earlier match that sorts after m; an equal one stays before it (stable).
    for (; j >= 0 && (matches[j]!.from - m.from || m.to - matches[j]!.to) > 0; j--) matches[j + 1] = matches[j]!;
    matches[j + 1] = m;
  }
}
