// node:test and node:assert for the widget's unit tests without @types/node (kept out so that
// browser code cannot lean on Node globals): fetched at run time, typed with what we use.

interface Assert {
  equal<T>(actual: T, expected: T, message?: string): void;
  notEqual<T>(actual: T, expected: T, message?: string): void;
  deepEqual<T>(actual: T, expected: T, message?: string): void;
  ok(value: unknown, message?: string): void;
}

const node = (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } }).process;
export const test = (node.getBuiltinModule("node:test") as { test: (name: string, fn: () => void | Promise<void>) => void }).test;
export const assert = node.getBuiltinModule("node:assert/strict") as Assert;
