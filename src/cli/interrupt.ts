/**
 * Ctrl-C handling. Long-running commands (servers, watchers) register a
 * handler that stops them cleanly and prints a summary; without one, the
 * process ends with exit code 130.
 */
const handlers: (() => void)[] = [];

/** Registers a handler for Ctrl-C; returns a function that removes it. */
export function onInterrupt(handler: () => void): () => void {
  handlers.push(handler);
  return () => {
    const index = handlers.indexOf(handler);
    if (index >= 0) handlers.splice(index, 1);
  };
}

/** Runs the newest handler; returns false when nobody handles Ctrl-C. */
export function dispatchInterrupt(): boolean {
  const handler = handlers.at(-1);
  if (!handler) return false;
  handler();
  return true;
}

/**
 * What a listener says while its stop waits for answers in flight, so a
 * quiet pause after Ctrl-C is explained and the way out is named.
 */
export function stopWaitNotice(
  say: (text: string) => void,
): (count: number, graceMs: number) => void {
  return (count, graceMs) =>
    say(
      `Waiting for ${count} request${count === 1 ? '' : 's'} in flight (at most ${Math.round(graceMs / 1000)} s; Ctrl-C again stops now)…`,
    );
}
