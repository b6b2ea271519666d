/**
 * Resources opened side by side (a service's start waits for the slowest, not for their sum), each
 * with how to release it: when one fails, the others that opened are released before the first
 * failure is rethrown, so nothing half-started keeps the process alive.
 */
export async function openTogether<T extends readonly unknown[]>(
  opening: {
    readonly [K in keyof T]: readonly [Promise<T[K]>, (opened: T[K]) => Promise<unknown>];
  },
): Promise<T> {
  const settled = await Promise.allSettled(opening.map(([p]) => p));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  await Promise.all(
    settled.map((r, i) => {
      const release = opening[i]?.[1] as ((x: unknown) => Promise<unknown>) | undefined;
      return r.status === 'fulfilled' && release ? release(r.value).catch(() => {}) : undefined;
    }),
  );
  throw failed.reason;
}
