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
