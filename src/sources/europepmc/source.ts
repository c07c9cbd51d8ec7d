// The Europe PMC Source: compiles strategies with compileEuropePmc and searches through EuropePmcClient.
import { compileEuropePmc } from '../../strategy/compile/europepmc.js';
import type { Source } from '../types.js';
import { EuropePmcClient, windowedQuery, type EuropePmcClientOptions } from './client.js';

export type EuropePmcSourceOptions = EuropePmcClientOptions;

export function createEuropePmcSource(opts: EuropePmcSourceOptions = {}): Source {
  const client = new EuropePmcClient(opts);
  return {
    name: 'europepmc',
    compileQuery: compileEuropePmc,
    search: (req) => client.search(req),
    sentQuery: windowedQuery,
  };
}
