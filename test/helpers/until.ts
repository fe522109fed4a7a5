// Polls a condition on the real clock until it holds, failing with what was awaited after `ms`
// (long enough that a busy machine does not fail it; a test's own clock decides what happens when).

export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`not met: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
