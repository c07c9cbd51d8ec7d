// One HTTP call to a bibliographic API, the way every source makes it: rate limited, bounded
// retries with backoff, a deadline per attempt, a cap on body bytes, and statuses and transport
// faults mapped to what the caller can do (retry, slow down, give up).
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { PermanentError, RateLimitedError, RetryableError } from '../../errors.js';
import type { SearchProgress } from '../types.js';
import { type RateLimiter, sharedRateLimiter } from './rate-limiter.js';
import { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, withRetry } from './retry.js';

/** What every client lets its caller tune; the client passes it to its ApiHttp as it is. */
export interface HttpTuning {
  /** Per-request response timeout (until headers). Default 30 s. */
  requestTimeoutMs?: number;
  /** Hard deadline for one attempt including the body. Default 120 s. */
  attemptDeadlineMs?: number;
  /** Body bytes allowed per response. Default 256 MiB. */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Default: one limiter per base URL in this process, at the client's own rate. */
  rateLimiter?: RateLimiter | undefined;
  /** Told each HTTP status received, or 'error' for a transport failure (for /metrics). */
  onResponse?: ((status: number | 'error') => void) | undefined;
}

/**
 * What fits in a 4 KiB request line, less its method and protocol: Crossref's and OpenAlex's
 * servers answer a longer one with 414 (https://github.com/CrossRef/rest-api-doc/issues/251).
 */
export const FOUR_KIB_URL = 4000;

export interface ApiHttpOptions extends HttpTuning {
  baseUrl: string;
  /** The API's politeness: request starts per second when no `rateLimiter` is given. */
  perSecond: number;
  headers?: Record<string, string>;
  /**
   * The longest path and query string the API accepts in a GET: a longer one is refused here,
   * naming its length, rather than sent to be answered 414 (OpenAlex and Crossref stop at 4 KiB).
   */
  maxUrlBytes?: number;
}

export interface ApiRequest<T> {
  /** Names the call in errors and logs, e.g. "esearch" or "europepmc search". */
  what: string;
  /** Relative to the base URL. */
  path: string;
  method?: 'GET' | 'POST';
  /** Query string for GET, form body for POST. */
  params: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** The search's progress: each attempt counts a request, each wait for a retry a retry. */
  progress?: { counts: SearchProgress; tell: () => void };
  /**
   * Names the upstream's own complaint in the error of a non-2xx answer (e.g. Crossref's
   * validation-failure list), from up to 8 KiB of its body; undefined keeps the plain excerpt.
   */
  explain?: (status: number, body: string) => string | undefined;
  /** Reads the (capped) body of a 2xx response; runs again on each attempt. */
  consume: (body: AsyncIterable<Uint8Array>) => Promise<T>;
}

export class ApiHttp {
  private readonly http: AxiosInstance;
  private readonly limiter: RateLimiter;
  private readonly attemptDeadlineMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: RetryPolicy;
  private readonly onResponse: ((status: number | 'error') => void) | undefined;
  private readonly host: string;
  private readonly maxUrlBytes: number | undefined;

  constructor(opts: ApiHttpOptions) {
    const baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.host = new URL(baseUrl).host;
    this.http = axios.create({
      baseURL: `${baseUrl}/`,
      timeout: opts.requestTimeoutMs ?? 30_000,
      responseType: 'stream',
      validateStatus: () => true, // statuses are classified below, not thrown by axios
      maxRedirects: 0,
      headers: opts.headers,
    });
    this.limiter = opts.rateLimiter ?? sharedRateLimiter(baseUrl, opts.perSecond);
    this.attemptDeadlineMs = opts.attemptDeadlineMs ?? 120_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? 256 * 1024 * 1024;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.onResponse = opts.onResponse;
    this.maxUrlBytes = opts.maxUrlBytes;
  }

  request<T>(req: ApiRequest<T>): Promise<T> {
    const { what, signal } = req;
    const method = req.method ?? 'GET';
    if (method === 'GET' && this.maxUrlBytes !== undefined) {
      // As axios will send it: the path and the query string its serializer writes.
      const url = new URL(this.http.getUri({ url: req.path, params: req.params }));
      const bytes = Buffer.byteLength(url.pathname + url.search);
      if (bytes > this.maxUrlBytes) {
        return Promise.reject(
          new PermanentError(`${what}: the request would be ${bytes} bytes of URL, over the ${this.maxUrlBytes} ${this.host} accepts; shorten the strategy (fewer or shorter terms) or give this source its own shorter query`),
        );
      }
    }
    return withRetry(what, this.retry, async () => {
      await this.limiter.acquire(signal);
      if (req.progress) {
        req.progress.counts.requests++;
        req.progress.tell();
      }
      const deadline = AbortSignal.timeout(this.attemptDeadlineMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      let res: AxiosResponse<Readable> | undefined;
      try {
        res = await this.http.request<Readable>({
          url: req.path,
          method,
          signal: combined,
          ...(method === 'GET' ? { params: req.params } : { data: new URLSearchParams(req.params) }),
        });
        this.onResponse?.(res.status);
        const body = res.data;
        const stopBody = () => body.destroy(new RetryableError(`${what} body not received within ${this.attemptDeadlineMs} ms`));
        combined.addEventListener('abort', stopBody, { once: true });
        try {
          await checkStatus(what, this.host, res, req.explain);
          return await req.consume(capBytes(body, this.maxResponseBytes, what));
        } finally {
          combined.removeEventListener('abort', stopBody);
          body.destroy();
        }
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (!res) this.onResponse?.('error');
        const classified = redactSecrets(classifyTransport(what, err, deadline.aborted ? this.attemptDeadlineMs : undefined), req.params);
        // The upstream counts every caller of the key: everyone sharing the limiter backs off together.
        if (classified instanceof RateLimitedError) await this.limiter.penalize(Math.max(classified.retryAfterMs, 1000));
        throw classified;
      }
    }, () => {
      if (req.progress) {
        req.progress.counts.retries++;
        req.progress.tell();
      }
    }, signal);
  }
}

// Parameters whose values are credentials (NCBI's and OpenAlex's api_key).
const SECRET_PARAM = /(?:api_?key|token|secret|password)$/i;

/**
 * Takes the request's credentials out of an error's message: NCBI answers a bad key with a body
 * that echoes it, and the message goes to stderr, logs, run rows, `status` and the queue dashboard.
 */
export function redactSecrets(err: Error, params: Record<string, string>): Error {
  for (const [name, value] of Object.entries(params)) {
    if (SECRET_PARAM.test(name) && value.length >= 4) err.message = err.message.replaceAll(value, `[${name}]`);
  }
  return err;
}

/** A page size option, checked against the API's own cap; the default when not given. */
export function pageSize(name: string, value: number | undefined, fallback: number, max: number): number {
  const size = value ?? fallback;
  if (!(Number.isInteger(size) && size >= 1 && size <= max)) throw new RangeError(`${name} must be an integer in 1..${max}, got ${size}`);
  return size;
}

/** Reads a whole body as JSON; a body cut short or garbled is retried (it was whole upstream). */
export async function readJson(body: AsyncIterable<Uint8Array>, what: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RetryableError(`${what}: response is not JSON (${text.slice(0, 80).replace(/\s+/g, ' ')})`, { cause: err });
  }
}

/** Maps HTTP status to our error types; 2xx passes. The message names `host`: a 404 from a mistyped mirror URL says whose 404 it is. */
async function checkStatus(what: string, host: string, res: AxiosResponse<Readable>, explain?: ApiRequest<unknown>['explain']): Promise<void> {
  const status = res.status;
  if (status >= 200 && status < 300) return;
  const text = await readText(res.data, explain ? 8192 : 300);
  const excerpt = explain?.(status, text) ?? excerptOf(text);
  const message = `${what} HTTP ${status} from ${host}${excerpt ? `: ${excerpt}` : ''}`;
  if (status === 429) {
    const header = res.headers['retry-after'];
    throw new RateLimitedError(message, parseRetryAfter(typeof header === 'string' ? header : undefined) ?? 0);
  }
  if (status === 408 || status >= 500) throw new RetryableError(message);
  throw new PermanentError(message);
}

function excerptOf(text: string): string {
  return text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

async function readText(body: Readable, max: number): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += String(chunk);
      if (text.length > max) break;
    }
  } catch {
    // the status already says what went wrong; a broken error body adds nothing
  }
  return text;
}

async function* capBytes(body: Readable, max: number, what: string): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > max) throw new PermanentError(`${what} response exceeds maxResponseBytes (${max})`);
    yield chunk;
  }
}

// A lost route (EHOSTUNREACH, ENETUNREACH) comes back like a refused connection does; a host that
// does not exist (ENOTFOUND) is a typo in a base URL.
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ERR_CANCELED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN']);

/** Timeouts, resets, refused connections and cut bodies are transient; our own errors pass. */
function classifyTransport(what: string, err: unknown, deadlineMs: number | undefined): Error {
  if (err instanceof PermanentError || err instanceof RetryableError) return err;
  if (deadlineMs !== undefined) return new RetryableError(`${what} not answered within ${deadlineMs} ms`, { cause: err });
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if ((e.code && TRANSIENT_CODES.has(e.code)) || /socket hang up|aborted|timeout/i.test(msg)) {
    return new RetryableError(`${what} ${e.code ?? ''} ${msg}`.replace(/\s+/g, ' '), { cause: err });
  }
  return new PermanentError(`${what} failed: ${msg}`, { cause: err });
}
