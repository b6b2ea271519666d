/**
 * HTTP for the REST sources: JSON GETs with a timeout, retries with exponential backoff on
 * network errors, 5xx and 429 (Retry-After honoured), and a token-bucket rate limiter for
 * sources that publish a request budget (Alpha Vantage).
 */
import { EmpError } from '../../core/errors.ts';

export interface HttpOptions {
  retries?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * GET with retries: network errors, 5xx and 429 are retried with exponential backoff (a longer
 * Retry-After wins); any other answer goes to `read`, whose own failures are retried too unless
 * they are an EmpError (a verdict on the answer, not a transport failure).
 */
export async function getWithRetry<T>(
  url: string,
  o: HttpOptions & { headers?: Record<string, string>; onRetry?: () => void },
  read: (res: Response) => Promise<T>,
): Promise<T> {
  const retries = o.retries ?? 3;
  const base = o.retryBaseMs ?? 500;
  const f = o.fetch ?? globalThis.fetch;
  for (let attempt = 0; ; attempt++) {
    let failure: string;
    let wait = base * 2 ** attempt;
    try {
      const res = await f(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 30_000), ...(o.headers ? { headers: o.headers } : {}) });
      if (res.status < 500 && res.status !== 429) return await read(res);
      await res.body?.cancel();
      failure = `HTTP ${res.status}`;
      const after = Number(res.headers.get('retry-after'));
      if (after > 0) wait = Math.max(wait, after * 1000);
    } catch (err) {
      if (err instanceof EmpError) throw err;
      failure = networkFailure(err);
    }
    if (attempt >= retries)
      throw new EmpError(failure === 'HTTP 429' ? 'THROTTLED' : 'HTTP', `${redact(url)}: ${failure} after ${attempt + 1} attempts`);
    o.onRetry?.();
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * A network failure in words: undici says only "fetch failed" and keeps the reason in `cause`
 * (`connect ECONNREFUSED 127.0.0.1:1`, `getaddrinfo ENOTFOUND host`, a TLS error), which is
 * what a user needs to see.
 */
function networkFailure(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg && !parts.includes(msg)) parts.push(msg);
  }
  if (err instanceof Error && err.name === 'TimeoutError') return `timed out (${parts.join(': ')})`;
  return parts.join(': ') || 'network error';
}

/** GET a URL as JSON; non-retryable HTTP errors come back with their status and parsed body. */
export async function getJson(url: string, o: HttpOptions = {}): Promise<{ status: number; body: unknown }> {
  return getWithRetry(url, { ...o, headers: { accept: 'application/json' } }, async (res) => {
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      throw new EmpError('PROTOCOL', `${redact(url)}: HTTP ${res.status}, body is not JSON: ${text.slice(0, 120)}`);
    }
  });
}

/** Keys stay out of error messages and logs. */
export const redact = (url: string): string => url.replace(/(apikey|token|api_key)=[^&]*/gi, '$1=***');

/** At most `perMinute` acquisitions in any minute (a token bucket refilled continuously). */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = perMinute;
    this.last = now();
  }

  async acquire(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.perMinute, this.tokens + ((t - this.last) * this.perMinute) / 60_000);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(((1 - this.tokens) * 60_000) / this.perMinute);
    }
  }
}
