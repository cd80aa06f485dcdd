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
