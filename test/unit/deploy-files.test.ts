// No Docker engine runs here, so the compose file and Dockerfile are checked by reading them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES } from '../../src/config/env.js';
import { packageRoot } from '../../src/paths.js';
import { buildProgram } from '../../src/cli/main.js';

const read = (f: string) => readFileSync(join(packageRoot, f), 'utf8');
/** A value as compose gives it when the variable is unset: `${X:-default}` is the default. */
const unsetValue = (v: string) => v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, any>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const appServices = ['migrate', 'worker', 'web'];

describe('docker-compose.yml', () => {
  it('has the stack of the contract', () => {
    expect(Object.keys(services).sort()).toEqual(['mailpit', 'migrate', 'postgres', 'redis', 'web', 'worker']);
    expect(services.postgres.image).toBe('postgres:17');
    expect(services.redis.image).toMatch(/^redis:7/);
    expect(services.postgres.volumes.map((v: string) => v.split(':')[0])).toContain('pgdata');
    expect(Object.keys(compose.volumes)).toContain('pgdata');
  });

  it('publishes Mailpit, whose web UI has no auth and shows signed links, on loopback only', () => {
    expect(services.mailpit.ports).toEqual(['127.0.0.1:8025:8025']);
    // Only web is published beyond the host: its links are what digests send reviewers to.
    for (const [name, svc] of Object.entries(services)) {
      for (const p of svc.ports ?? []) if (name !== 'web') expect(String(p), `${name} publishes ${p}`).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('runs Redis with noeviction and persistence, as BullMQ requires', () => {
    const cmd: string[] = services.redis.command;
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
  });

  it('gives every service others wait on a healthcheck', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries<{ condition: string }>(svc.depends_on ?? {})) {
        expect(services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        if (cond.condition === 'service_healthy') {
          expect(services[dep].healthcheck, `${name} waits for ${dep}'s health`).toBeDefined();
        } else {
          expect(cond.condition).toBe('service_completed_successfully');
          expect(dep).toBe('migrate');
        }
      }
    }
    for (const name of ['postgres', 'redis', 'mailpit', 'web', 'worker']) expect(services[name].healthcheck.test).toBeDefined();
  });

  it("checks the worker's health by progress, on the port the worker serves it", () => {
    const cmd: string[] = services.worker.command;
    const option = (name: string) => {
      expect(cmd, `worker command sets ${name}`).toContain(name);
      return cmd[cmd.indexOf(name) + 1]!;
    };
    const port = Number(option('--health-port'));
    const workerCommand = buildProgram().commands.find((c) => c.name() === 'worker')!;
    for (const flag of ['--health-port', '--health-host', '--progress-timeout']) expect(workerCommand.options.map((o) => o.long)).toContain(flag);
    // Only the container's own probe needs it: loopback, where the probe asks /healthz, failing on anything but 2xx.
    expect(option('--health-host')).toBe('127.0.0.1');
    expect(services.worker.ports).toBeUndefined();
    const probe = services.worker.healthcheck.test.join(' ');
    expect(probe).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(probe).toMatch(/r\.ok\?0:1/);
    // R3: unhealthy within 2 minutes of no progress while work waits.
    const progressMs = Number(option('--progress-timeout'));
    expect(progressMs).toBeGreaterThan(0);
    expect(progressMs).toBeLessThanOrEqual(120_000);
  });

  it('runs commands of the CLI, built from the Dockerfile, after migrating', () => {
    const commands = buildProgram().commands.map((c) => c.name());
    for (const name of appServices) {
      const svc = services[name];
      expect(svc.build).toBe('.');
      expect(commands).toContain(svc.command[0]);
      expect(svc.init).toBe(true);
      if (name !== 'migrate') expect(svc.depends_on.migrate.condition).toBe('service_completed_successfully');
    }
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services.worker.command[0]).toBe('worker');
    // The worker's own shutdown deadline ends before compose's grace period sends SIGKILL.
    const deadlineMs = Number(services.worker.command[services.worker.command.indexOf('--shutdown-timeout') + 1]);
    expect(deadlineMs).toBeGreaterThan(0);
    expect(deadlineMs / 1000).toBeLessThan(Number.parseInt(services.worker.stop_grace_period, 10));
    expect(services.web.command[0]).toBe('serve');
  });

  it('sets only variables of the contract, pointing at its own services', () => {
    for (const name of appServices) {
      for (const key of Object.keys(services[name].environment)) expect(ENV_VARIABLES).toContain(key);
      expect(new URL(services[name].environment.DATABASE_URL).hostname).toBe('postgres');
      expect(new URL(services[name].environment.REDIS_URL).hostname).toBe('redis');
      expect(new URL(unsetValue(services[name].environment.SMTP_URL)).hostname).toBe('mailpit');
      // The image's data volume, not .env's ./data (not writable by the node user in /app).
      expect(services[name].environment.LR_DATA_DIR).toBe('/data');
    }
    expect(read('Dockerfile')).toMatch(/^VOLUME \["\/data"\]$/m);
  });

  it('keeps the build context free of secrets and local state', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', 'node_modules', 'data', '.git']) expect(ignored).toContain(entry);
  });
});

describe('.env.example', () => {
  it('lists every variable of the contract, and nothing else', () => {
    const keys = read('.env.example')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(keys.sort()).toEqual([...ENV_VARIABLES].sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds in stages and runs as a non-root user with the migrations and protocols', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^COPY drizzle \.\/drizzle$/m);
    expect(dockerfile).toMatch(/^COPY config \.\/config$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/living-review.js"\]$/m);
  });

  it('builds and runs every stage on a supported Node LTS', () => {
    const images = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(3);
    // Node 20 reached end of life on 2026-04-30; 22 and 24 are the LTS lines still maintained.
    for (const image of images) expect(image).toMatch(/^node:(22|24)-bookworm-slim$/);
  });
});
