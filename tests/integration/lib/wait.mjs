// Bounded waiting: every wait in the suite has a deadline and says what it was waiting for.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves like `promise`, or rejects after `ms` with a message naming `what`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves like `promise`, or with `fallback` once `ms` have passed. The timer is cleared either
 * way: a pending one would keep the test process alive for the rest of `ms` after its last test.
 */
export function orAfter(promise, ms, fallback = null) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` (sync or async, truthy = done) every `intervalMs` until `ms` have passed. */
export async function eventually(check, { ms = 5000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** A promise plus its resolve/reject, for callbacks that must be awaited with a deadline. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
