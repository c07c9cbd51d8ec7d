// Dates for n corpus copies, so a fake's date-window filters have records on every day.

const DAY_MS = 86_400_000;

/** n ISO days spread evenly, in order, over the inclusive range [from, to]. */
export function spreadDays(n: number, from: string, to: string): string[] {
  const day0 = Date.parse(`${from}T00:00:00Z`);
  const days = (Date.parse(`${to}T00:00:00Z`) - day0) / DAY_MS + 1;
  return Array.from({ length: n }, (_, i) => new Date(day0 + Math.floor((i * days) / n) * DAY_MS).toISOString().slice(0, 10));
}
