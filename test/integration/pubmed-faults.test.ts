// Hostile and broken upstream answers: each ends in a clear error, in bounded memory and time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/errors.js';
import { EutilsClient } from '../../src/sources/pubmed/eutils-client.js';
import { createRateLimiter } from '../../src/sources/http/rate-limiter.js';

const ESEARCH = '<?xml version="1.0"?><eSearchResult><Count>1</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>W</WebEnv><IdList/></eSearchResult>';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

/** An E-utilities stand-in whose efetch answer is `efetch(res)`. */
async function upstream(efetch: (res: import('node:http').ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    if (req.url?.includes('esearch')) return res.end(ESEARCH);
    efetch(res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function client(baseUrl: string, extra: Partial<ConstructorParameters<typeof EutilsClient>[0]> = {}) {
  return new EutilsClient({
    baseUrl, tool: 'test', rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }),
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 }, ...extra,
  });
}

async function drainError(c: EutilsClient): Promise<unknown> {
  const search = await c.search({ term: 'x', window: { from: '2024-01-01', to: '2024-01-02' } });
  try {
    for await (const _ of search.batches) {
      // draining
    }
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('E-utilities client against hostile answers', () => {
  it('stops reading a response of hundreds of MB at the byte cap, in bounded memory', async () => {
    const chunk = Buffer.alloc(1 << 20, 'a');
    const base = await upstream((res) => {
      res.write('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Abstract>');
      let sent = 0;
      const pump = () => {
        while (sent < 400 && res.write(chunk)) sent++;
        if (sent < 400) res.once('drain', pump);
        else res.end('</Abstract></MedlineCitation></PubmedArticle></PubmedArticleSet>');
      };
      pump();
    });
    const rssBefore = process.memoryUsage().rss;
    const err = await drainError(client(base, { maxResponseBytes: 300 * 1024 * 1024 }));
    expect(err).toBeInstanceOf(PermanentError);
    // The single oversized record is refused long before the 400 MB body ends.
    expect((err as Error).message).toMatch(/record|maxRecordBytes|exceeds/i);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses a body over the response cap with a clear permanent error', async () => {
    const record = '<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>t</ArticleTitle></Article></MedlineCitation></PubmedArticle>';
    const base = await upstream((res) => {
      res.write('<?xml version="1.0"?><PubmedArticleSet>');
      for (let i = 0; i < 20_000; i++) res.write(record);
      res.end('</PubmedArticleSet>');
    });
    const err = await drainError(client(base, { maxResponseBytes: 1024 * 1024 }));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe('efetch response exceeds maxResponseBytes (1048576)');
  });

  it('gives up on a body that never arrives, after its attempts, as a retryable error', async () => {
    const base = await upstream((res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<?xml version="1.0"?><PubmedArticleSet>');
      // …and nothing more: the connection hangs.
    });
    const t0 = Date.now();
    const err = await drainError(client(base, { attemptDeadlineMs: 300 }));
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/efetch failed after 2 attempts: .*within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('retries a connection reset and reports it when it persists', async () => {
    const base = await upstream((res) => res.socket?.destroy());
    const err = await drainError(client(base));
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/efetch failed after 2 attempts/);
  });

  it('stops at once when the caller aborts', async () => {
    const base = await upstream(() => {
      // never answers
    });
    const c = client(base, { attemptDeadlineMs: 60_000 });
    const abort = new AbortController();
    const search = await c.search({ term: 'x', window: { from: '2024-01-01', to: '2024-01-02' }, signal: abort.signal });
    const t0 = Date.now();
    setTimeout(() => abort.abort(new Error('interrupted')), 100);
    await expect((async () => {
      for await (const _ of search.batches) {
        // draining
      }
    })()).rejects.toThrow('interrupted');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
