import { describe, expect, it } from 'vitest';
import { DEFAULT_VENUES, FX_VENUES } from './simulator/venues.ts';
import { VENUE_NAMES, VENUE_REGISTRY, venueDescriptor, WEBSOCKET_VENUES } from './venue-registry.ts';
import { venueSymbol } from './venues/identity.ts';

describe('venue registry', () => {
  it('names each venue once', () => {
    expect(new Set(VENUE_NAMES).size).toBe(VENUE_REGISTRY.length);
    expect(() => venueDescriptor('nowhere')).toThrow(/unknown venue "nowhere" \(known: binance, /);
  });

  it("a WebSocket venue's client, loopback server and book codec are the venue's, and the client spells pairs as the identity says", () => {
    for (const v of WEBSOCKET_VENUES) {
      const client = v.client();
      expect(client.venue).toBe(v.name);
      expect(v.loopbackServer().venue).toBe(v.name);
      if (v.book) expect(v.book().venue).toBe(v.name);
      for (const pair of ['BTC-USD', 'ETH-USDT', 'EUR-USD']) expect(client.venueSymbol(pair)).toBe(venueSymbol(v, pair));
    }
  });

  it("the simulator's venues are registry venues with the registry's identity", () => {
    for (const s of [...DEFAULT_VENUES, ...FX_VENUES]) {
      const v = venueDescriptor(s.name);
      expect({ assetClass: s.assetClass, quote: s.quote, symbolStyle: s.symbolStyle }).toEqual({
        assetClass: v.assetClass,
        quote: v.quote,
        symbolStyle: v.symbolStyle,
      });
    }
  });
});
