/** The largest number of timestamps (ms) falling in any window of `ms` milliseconds. */
export function maxInWindow(times: number[], ms = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= ms) i++;
    max = Math.max(max, j - i + 1);
  }
  return max;
}
