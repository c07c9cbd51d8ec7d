import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

function capture(pretty: boolean) {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d) => (text += d));
  return { log: createLogger('info', {}, { pretty, destination: sink }), text: () => text };
}

describe('createLogger', () => {
  it('writes JSON lines for machines', () => {
    const { log, text } = capture(false);
    log.info({ review: 'r1', works: 3 }, 'block keys rebuilt');
    log.flush();
    return new Promise<void>((done) =>
      setImmediate(() => {
        expect(JSON.parse(text().trim())).toMatchObject({ level: 30, app: 'living-review', review: 'r1', works: 3, msg: 'block keys rebuilt' });
        done();
      }),
    );
  });
  it('writes one readable line per entry on a terminal, fields kept', () => {
    const { log, text } = capture(true);
    log.warn({ runIds: [4] }, 'runs left by a stopped process marked failed');
    log.debug('not at info');
    const out = text();
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: runs left by a stopped process marked failed \{"runIds":\[4\]\}\n$/);
    expect(out).not.toContain('"level"');
    expect(out).not.toContain('not at info');
  });
});
