// Time slicing (inline-anchoring.md §4.4): long work is written as generators that yield often;
// `runSliced` runs one in slices of at most `budget` ms and gives the main thread back in between,
// `finish` runs one synchronously (tests, small jobs).

export interface SliceOptions {
  /** Milliseconds of work per slice (default 8). */
  budget?: number;
  now?: () => number;
  /** Gives the main thread back; default `scheduler.yield()` where it exists, else a zero timeout. */
  pause?: () => Promise<unknown>;
  /** Stops the task at its next yield (e.g. the article changed and a new run started). */
  signal?: { readonly aborted: boolean };
}

const pauseDefault = (): Promise<unknown> => {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return s?.yield ? s.yield() : new Promise((resolve) => setTimeout(resolve, 0));
};

/** Runs a generator to its end without pausing. */
export function finish<T>(task: Generator<unknown, T>): T {
  for (;;) {
    const r = task.next();
    if (r.done) return r.value;
  }
}

/** Runs `task` in slices; resolves to its result, or undefined when aborted. */
export async function runSliced<T>(task: Generator<unknown, T>, o: SliceOptions = {}): Promise<T | undefined> {
  const now = o.now || (() => performance.now());
  const budget = o.budget ?? 8;
  let t0 = now();
  for (;;) {
    if (o.signal?.aborted) {
      task.return(undefined as T);
      return undefined;
    }
    const r = task.next();
    if (r.done) return r.value;
    if (now() - t0 >= budget) {
      await (o.pause || pauseDefault)();
      t0 = now();
    }
  }
}
