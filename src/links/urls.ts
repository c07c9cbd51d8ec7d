import { signToken, TTL, type Purpose, type SignInput } from './tokens.js';

/** Path prefix of each kind of signed link; the server routes on the same table. */
export const LINK_PATHS = {
  decide: '/a/',
  queue: '/q/',
  conflicts: '/c/',
  unsubscribe: '/u/',
} as const satisfies Partial<Record<Purpose, string>>;

export type LinkKind = keyof typeof LINK_PATHS;

export interface LinkSigner {
  secret: string;
  /** PUBLIC_URL: links are never built from a request's Host header. */
  publicUrl: string;
  now?: () => Date;
}

/** Mints a signed link of the kind's default lifetime. */
export function signedLink(s: LinkSigner, kind: LinkKind, claims: Omit<SignInput, 'purpose' | 'ttl' | 'now'>): string {
  const token = signToken(s.secret, { ...claims, purpose: kind, ttl: TTL[kind], now: s.now?.() ?? new Date() });
  return `${s.publicUrl.replace(/\/+$/, '')}${LINK_PATHS[kind]}${token}`;
}

/** The host Message-IDs are minted under. */
export function publicHost(publicUrl: string): string {
  return new URL(publicUrl).hostname;
}
