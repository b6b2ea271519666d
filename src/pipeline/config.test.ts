import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('fills every default from an empty object', () => {
    const c = parseConfig({});
    expect(c.instruments).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD', 'EUR-USD']);
    expect(c.venues).toEqual(['binance', 'coinbase', 'kraken', 'bitstamp', 'okx', 'dukascopy', 'oanda', 'ctrader']);
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.store.kind).toBe('sqlite');
    expect(c.simulator.speed).toBe(1);
  });
  it('names an unknown key, nested too', () => {
    expect(() => parseConfig({ instrumnets: [] })).toThrow(/unknown key "instrumnets"/);
    expect(() => parseConfig({ server: { prot: 1 } })).toThrow(/unknown key "server.prot"/);
  });
  it('names a key with a bad value', () => {
    expect(() => parseConfig({ server: { port: 70000 } })).toThrow(/server\.port/);
    expect(() => parseConfig({ venues: ['nasdaq'] })).toThrow(/venues\.0/);
    expect(() => parseConfig({ instruments: ['btcusd'] })).toThrow(/BTC-USD/);
    // Degrees of freedom at or below 2 have no variance: refused at start, not on the first bar.
    expect(() => parseConfig({ analysis: { regimeTails: 2 } })).toThrow(/analysis\.regimeTails/);
    expect(parseConfig({ analysis: { regimeTails: 5 } }).analysis.regimeTails).toBe(5);
    expect(parseConfig({}).analysis.regimeTails).toBeUndefined();
  });
  it('raises a ConfigError (exit code 2 in the CLI)', () => {
    try {
      parseConfig({ bogus: 1 });
    } catch (e) {
      expect((e as { code: string }).code).toBe('BAD_CONFIG');
      return;
    }
    throw new Error('expected a ConfigError');
  });
});
