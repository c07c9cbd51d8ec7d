import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelay } from '../../src/digest/outbox.js';
import { classifySmtpFailure } from '../../src/digest/transport.js';

describe('what a failed SMTP send means', () => {
  it('trusts reply codes: 4xx retry, 5xx permanent, whether or not DATA went out', () => {
    for (const dataSent of [false, true]) {
      expect(classifySmtpFailure({ message: 'x', responseCode: 451, code: 'EENVELOPE' }, dataSent)).toBe('retry');
      expect(classifySmtpFailure({ message: 'x', responseCode: 452, code: 'EMESSAGE' }, dataSent)).toBe('retry');
      expect(classifySmtpFailure({ message: 'x', responseCode: 550, code: 'EENVELOPE' }, dataSent)).toBe('permanent');
      expect(classifySmtpFailure({ message: 'x', responseCode: 554, code: 'EMESSAGE' }, dataSent)).toBe('permanent');
    }
  });

  it('retries a dropped connection before DATA and flags one after it', () => {
    expect(classifySmtpFailure({ message: 'Connection closed unexpectedly', code: 'ECONNECTION' }, false)).toBe('retry');
    expect(classifySmtpFailure({ message: 'Timeout', code: 'ETIMEDOUT' }, false)).toBe('retry');
    expect(classifySmtpFailure({ message: 'Connection closed unexpectedly', code: 'ECONNECTION' }, true)).toBe('ambiguous');
    expect(classifySmtpFailure({ message: 'Timeout', code: 'ETIMEDOUT' }, true)).toBe('ambiguous');
  });

  it('treats a bad envelope or credentials without a reply as permanent', () => {
    expect(classifySmtpFailure({ message: 'No recipients defined', code: 'EENVELOPE' }, false)).toBe('permanent');
    expect(classifySmtpFailure({ message: 'Missing credentials', code: 'EAUTH' }, false)).toBe('permanent');
  });
});

describe('retry backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const p = { ...DEFAULT_RETRY, baseMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(p, a))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});
