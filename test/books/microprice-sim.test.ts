import { describe, expect, it } from 'vitest';
import { MarketSimulator } from '../../src/sources/simulator/index.ts';
import { OrderBook } from '../../src/stream/book.ts';

/**
 * Should each venue's microprice go to fusion instead of its mid? The rule: only if it
 * lowers the error against the truth. Measured here on the simulator: every quote's mid and its
 * microprice (touch sizes from the quote, through OrderBook.microprice) against the latent price,
 * USD venues and USDT venues at the true basis, held-out seeds 201-203.
 */
describe('microprice on the simulator', () => {
  it('is no better than the mid: the simulated touch sizes carry no information', () => {
    const rows: string[] = [];
    for (const seed of [201, 202, 203]) {
      const sim = new MarketSimulator({ seed, durationMs: 3_600_000, instruments: [{ symbol: 'BTC-USD', initialPrice: 60_000 }] });
      const truth = new Map<number, { price: number; basis: number }>();
      let step = Number.NaN;
      for (const t of sim.truth()) {
        if (Number.isNaN(step) && truth.size === 1) step = t.ts - ([...truth.keys()][0] as number);
        truth.set(t.ts, { price: t.price, basis: t.usdtBasis });
      }
      const t0 = [...truth.keys()][0] as number;
      let seMid = 0;
      let seMicro = 0;
      let n = 0;
      const book = new OrderBook(1);
      for (const r of sim.records()) {
        if (r.type !== 'quote' || r.ts === null) continue;
        const tp = truth.get(t0 + Math.round((r.ts - t0) / step) * step);
        if (tp === undefined) continue;
        const usd = r.symbol.endsWith('USDT') ? tp.basis : 1;
        book.clear();
        book.set(true, r.bid, r.bidSize);
        book.set(false, r.ask, r.askSize);
        const mid = book.mid() * usd;
        const micro = book.microprice() * usd;
        seMid += ((mid - tp.price) / tp.price) ** 2;
        seMicro += ((micro - tp.price) / tp.price) ** 2;
        n++;
      }
      const rmseMid = Math.sqrt(seMid / n) * 1e4;
      const rmseMicro = Math.sqrt(seMicro / n) * 1e4;
      rows.push(`seed ${seed}: ${n} quotes, RMSE vs latent: mid ${rmseMid.toFixed(3)} bps, microprice ${rmseMicro.toFixed(3)} bps`);
      expect(n).toBeGreaterThan(10_000);
      expect(rmseMicro).toBeGreaterThanOrEqual(rmseMid);
    }
    console.log(rows.join('\n'));
  });
});
