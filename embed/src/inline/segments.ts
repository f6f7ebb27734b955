// Overlapping highlights without nesting (inline-anchoring.md §5.1): a sweep line over all anchored
// spans gives disjoint segments, each painted once at its depth and knowing which threads cover it.

export interface Span {
  id: string | number;
  start: number;
  end: number;
}

export interface Segment {
  start: number;
  end: number;
  /** Threads covering the segment; its depth is ids.length. */
  ids: (string | number)[];
}

/** Disjoint, ordered segments covered by at least one span. */
export function segment(spans: Span[]): Segment[] {
  const events: [number, number, Span][] = [];
  for (const s of spans) if (s.start < s.end) events.push([s.start, 1, s], [s.end, -1, s]);
  events.sort((a, b) => a[0] - b[0]);
  const open = new Map<Span, Span["id"]>();
  const out: Segment[] = [];
  for (let i = 0; i < events.length; ) {
    const at = events[i][0];
    for (; i < events.length && events[i][0] == at; i++) {
      const [, kind, s] = events[i];
      if (kind > 0) open.set(s, s.id);
      else open.delete(s);
    }
    if (open.size && i < events.length) out.push({ start: at, end: events[i][0], ids: [...new Set(open.values())] });
  }
  return out;
}

/** The segment containing text index i (for a click on highlighted text), if any. */
export function segmentAt(segments: Segment[], i: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].end <= i) lo = mid + 1;
    else hi = mid;
  }
  const s = segments[lo];
  return s && s.start <= i ? s : undefined;
}
