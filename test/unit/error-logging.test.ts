import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, PermanentError, RateLimitedError, RetryableError, errorFields } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createApp, listen } from '../../src/web/app.js';

describe('errorFields', () => {
  it('gives an unexpected error its one line and its stack', () => {
    const err = new TypeError('Cannot read properties of undefined\n(reading "id")');
    expect(errorFields(err)).toEqual({ err: 'Cannot read properties of undefined (reading "id")', stack: err.stack });
  });

  it('gives the errors the code expects, and things thrown that are no Error, one line only', () => {
    for (const err of [new PermanentError('bad query'), new RetryableError('HTTP 503'), new RateLimitedError('429', 1000), new ConfigError('REDIS_URL: bad')]) {
      expect(errorFields(err)).toEqual({ err: err.message });
    }
    expect(errorFields('a string')).toEqual({ err: 'a string' });
  });
});

describe('serve logs a 500', () => {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d) => (text += d));
  const log = createLogger('info', {}, { pretty: false, destination: sink });
  const app = createApp({ log, errorPage: (status) => `error ${status}` })
    .route('GET', '/bug', () => {
      throw new TypeError('x is not a function');
    })
    .route('GET', '/upstream', () => {
      throw new RetryableError('Postgres not answering');
    });
  const server = listen(app, 0, '127.0.0.1');
  afterAll(async () => (await server).close());

  const lines = async (path: string) => {
    text = '';
    const { port } = (await server).address() as AddressInfo;
    expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(500);
    log.flush();
    await new Promise((r) => setImmediate(r));
    return text.trim().split('\n').map((l) => JSON.parse(l));
  };

  it('with the stack of an unexpected error, beside its one line', async () => {
    const [line] = await lines('/bug');
    expect(line).toMatchObject({ msg: 'request failed', route: 'bug', err: 'x is not a function' });
    expect(line.stack).toMatch(/^TypeError: x is not a function\n\s+at /);
  });

  it('in one line for an expected one', async () => {
    const [line] = await lines('/upstream');
    expect(line).toMatchObject({ msg: 'request failed', err: 'Postgres not answering' });
    expect(line).not.toHaveProperty('stack');
  });
});
