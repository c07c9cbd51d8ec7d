import { createRequire } from 'node:module';
import { ConfigError } from '../errors.js';

/**
 * Installed versions the worker refuses to run below (RELIABILITY_NOTES R8):
 * bullmq 6.7.0, as earlier 6.x workers can wedge for good after a Redis outage longer than
 * drainDelay + 1 s (BullMQ #4585; measured: 6.1.2 processed nothing after a 12 s outage).
 * A lock file keeps them pinned; this catches an install that ignored it (or a hand-edited one).
 */
export const MINIMUM_PACKAGES: Readonly<Record<string, string>> = { bullmq: '6.7.0' };

/**
 * BullMQ itself refuses below 5.0.0 but only warns below its `recommendedMinimumVersion`, 6.2.0;
 * R8 makes the recommendation a requirement.
 */
export const MINIMUM_REDIS = '6.2.0';

interface Parsed {
  parts: [number, number, number];
  pre: string | undefined;
}

/** `1.2.3`, `v1.2`, `7`, `1.2.3-rc.1` (build metadata ignored); undefined if not a version. */
export function parseVersion(v: string): Parsed | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  if (!m) return undefined;
  return { parts: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre: m[4] };
}

/**
 * Negative, zero or positive as `a` is below, equal to or above `b`. Missing minor and patch count
 * as 0; a pre-release is below its release (`6.7.0-beta.1` < `6.7.0`), and pre-releases compare
 * as strings (enough for a floor check, not full semver precedence). Throws on a non-version.
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`not a version: ${!x ? a : b}`);
  for (let i = 0; i < 3; i++) if (x.parts[i] !== y.parts[i]) return x.parts[i]! - y.parts[i]!;
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** True when `version` is at least `minimum`; false for anything that is not a version. */
export function atLeast(version: string | undefined, minimum: string): boolean {
  if (!version || !parseVersion(version)) return false;
  return compareVersions(version, minimum) >= 0;
}

const require = createRequire(import.meta.url);

/** The installed version of a package, from its package.json; undefined when it is not installed. */
export function installedVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Refuses (ConfigError, one line) when a package is missing or below its minimum. `installed`
 * defaults to what is installed next to this file.
 */
export function assertPackageVersions(
  minimums: Readonly<Record<string, string>> = MINIMUM_PACKAGES,
  installed: (name: string) => string | undefined = installedVersion,
): void {
  const bad = Object.entries(minimums).flatMap(([name, min]) => {
    const found = installed(name);
    if (atLeast(found, min)) return [];
    return [found === undefined ? `${name} is not installed, at least ${min} is required` : `${name} ${found} is installed, at least ${min} is required`];
  });
  if (bad.length > 0) throw new ConfigError(`${bad.join('; ')}; reinstall from the lock file (npm ci)`);
}
