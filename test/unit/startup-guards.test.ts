// The worker's startup guards (RELIABILITY_NOTES R8) that need no server: version comparison,
// installed package versions, and the worker connection's retry setting (on real, unconnected
// ioredis clients).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { assertWorkerConnection, connectRedis } from '../../src/queue/connection.js';
import { MINIMUM_PACKAGES, assertPackageVersions, atLeast, compareVersions, installedVersion, parseVersion } from '../../src/queue/versions.js';

describe('compareVersions', () => {
  it('orders by major, minor, then patch, numerically', () => {
    expect(compareVersions('6.7.0', '6.7.0')).toBe(0);
    expect(compareVersions('6.10.0', '6.7.0')).toBeGreaterThan(0);
    expect(compareVersions('6.6.99', '6.7.0')).toBeLessThan(0);
    expect(compareVersions('7.0.0', '6.99.99')).toBeGreaterThan(0);
    expect(compareVersions('5.5.10', '5.5.7')).toBeGreaterThan(0);
  });

  it('treats missing parts as 0, ignores a leading v and build metadata', () => {
    expect(compareVersions('6.2', '6.2.0')).toBe(0);
    expect(compareVersions('7', '6.2.0')).toBeGreaterThan(0);
    expect(compareVersions('v6.7.0', '6.7.0')).toBe(0);
    expect(compareVersions('6.7.0+build.5', '6.7.0')).toBe(0);
  });

  it('puts a pre-release below its release', () => {
    expect(compareVersions('6.7.0-beta.1', '6.7.0')).toBeLessThan(0);
    expect(compareVersions('6.7.0', '6.7.0-beta.1')).toBeGreaterThan(0);
    expect(compareVersions('6.7.1-rc.1', '6.7.0')).toBeGreaterThan(0);
  });

  it('throws on what is not a version', () => {
    expect(parseVersion('latest')).toBeUndefined();
    expect(() => compareVersions('latest', '1.0.0')).toThrow(/not a version: latest/);
  });
});

describe('atLeast', () => {
  it('is false for a missing or unreadable version', () => {
    expect(atLeast(undefined, '6.2.0')).toBe(false);
    expect(atLeast('unknown', '6.2.0')).toBe(false);
    expect(atLeast('6.2.0', '6.2.0')).toBe(true);
    expect(atLeast('6.0.16', '6.2.0')).toBe(false);
  });
});

describe('installed package versions', () => {
  const declared = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).dependencies as Record<string, string>;

  it('reads the installed version', () => {
    expect(installedVersion('bullmq')).toBe(declared.bullmq);
    expect(installedVersion('no-such-package-living-review')).toBeUndefined();
  });

  it('the pinned dependencies satisfy the minimums, so the installed tree passes', () => {
    for (const [name, min] of Object.entries(MINIMUM_PACKAGES)) expect(atLeast(declared[name], min), name).toBe(true);
    expect(() => assertPackageVersions()).not.toThrow();
  });

  it('refuses an old or missing package in one line naming each', () => {
    const minimums = { ...MINIMUM_PACKAGES, 'some-parser': '5.5.7' };
    const found: Record<string, string | undefined> = { bullmq: '6.1.2', 'some-parser': undefined };
    const refuse = () => assertPackageVersions(minimums, (n) => found[n]);
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(
      'bullmq 6.1.2 is installed, at least 6.7.0 is required; some-parser is not installed, at least 5.5.7 is required; reinstall from the lock file (npm ci)',
    );
    expect(() => assertPackageVersions(minimums, (n) => ({ bullmq: '6.7.0', 'some-parser': '5.5.6' })[n])).toThrow(/^some-parser 5\.5\.6 is installed, at least 5\.5\.7/);
    expect(() => assertPackageVersions(minimums, (n) => ({ bullmq: '6.7.0', 'some-parser': '5.5.7' })[n])).not.toThrow();
  });
});

describe("the worker connection's maxRetriesPerRequest", () => {
  // lazyConnect: real clients, never connected.
  it('accepts the worker role (null) and refuses ioredis defaults or a number', () => {
    const worker = connectRedis('redis://127.0.0.1:1', 'worker', { lazyConnect: true });
    const plain = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
    const producer = connectRedis('redis://127.0.0.1:1', 'producer', { lazyConnect: true });
    try {
      expect(() => assertWorkerConnection(worker)).not.toThrow();
      expect(() => assertWorkerConnection(plain)).toThrow("the worker's Redis connection has maxRetriesPerRequest 20; BullMQ workers need null");
      expect(() => assertWorkerConnection(producer)).toThrow(/maxRetriesPerRequest 1;/);
    } finally {
      for (const r of [worker, plain, producer]) r.disconnect();
    }
  });
});
