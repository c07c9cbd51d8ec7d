/**
 * Until `release()`, the first SIGINT or SIGTERM aborts `signal` instead of killing the process,
 * so a command stops at its next safe point and cleans up (a run marks its source failed, an export
 * removes its unfinished file); a second signal kills as usual.
 */
export function interruptible(): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  const onSignal = (name: NodeJS.Signals) => abort.abort(new Error(`interrupted (${name})`));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  return { signal: abort.signal, release: () => void process.off('SIGINT', onSignal).off('SIGTERM', onSignal) };
}
