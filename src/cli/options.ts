import { InvalidArgumentError } from 'commander';
import { isCalendarDay } from '../runs/window.js';

/** Commander argument parser for a closed set of values. */
export function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

export function isoDate(value: string): string {
  if (!isCalendarDay(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

/** A positive whole number of milliseconds. */
export function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of milliseconds');
  return n;
}
