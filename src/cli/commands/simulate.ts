import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { parseDuration, parseTimeframe } from '../../core/time.ts';
import { DEFAULT_VENUES, MarketSimulator, simulateBarChunks } from '../../sources/simulator/index.ts';
import { intInRange } from '../options.ts';
import { CsvFile, progressBar } from '../output.ts';

interface SimulateOptions {
  seed: string;
  duration: string;
  venues: string;
  out: string;
  bars?: string;
  count: string;
  progress: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'write a simulated multi-venue market with its ground truth (latent price, regimes, faults), or simulated bars with planted regimes',
    )
    .option('--seed <n>', 'random seed: the same seed gives identical output', '1')
    .option('--duration <d>', 'simulated time for venue data, e.g. 30m, 6h, 1d', '6h')
    .option(
      '--venues <n>',
      `number of venues (1-${DEFAULT_VENUES.length}: ${DEFAULT_VENUES.map((v) => v.name).join(', ')})`,
      String(DEFAULT_VENUES.length),
    )
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--bars <tf>', 'write OHLCV bars (1m 5m 15m 1h 4h 1d) with a regime column instead of venue data')
    .option('--count <n>', 'number of bars with --bars', '5000')
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      `
Venue data (default): DIR/truth.csv (time,symbol,price,usdt_basis,regime), DIR/<venue>/trades.csv
(time,recv_time,symbol,raw_symbol,price,size,side,id), DIR/<venue>/quotes.csv
(time,recv_time,symbol,raw_symbol,bid,bid_size,ask,ask_size), DIR/faults.csv
(start,end,venue,symbol,kind,magnitude). Times are epoch milliseconds.
Bars (--bars TF): DIR/bars.csv (time,open,high,low,close,volume,regime).`,
    )
    .action(async (opts: SimulateOptions) => {
      const seed = intInRange(opts.seed, 'seed', 0, 2 ** 32 - 1);
      mkdirSync(opts.out, { recursive: true });
      if (opts.bars !== undefined) {
        const tf = parseTimeframe(opts.bars);
        const count = intInRange(opts.count, 'count', 1, 100_000_000);
        const f = new CsvFile(join(opts.out, 'bars.csv'), 'time,open,high,low,close,volume,regime');
        const bar = progressBar(count, opts.progress, `simulate ${tf} bars`, 'bars');
        let done = 0;
        // Made and written a chunk at a time: memory stays flat whatever the count.
        for (const sim of simulateBarChunks({ seed, timeframe: tf, count }, 16_384)) {
          const b = sim.bars;
          const lines: string[] = new Array(b.close.length);
          for (let i = 0; i < b.close.length; i++) {
            lines[i] =
              `${new Date(b.time[i] as number).toISOString()},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]},${sim.regime[i]}`;
          }
          await f.lines(`${lines.join('\n')}\n`);
          done += b.close.length;
          bar?.update(done);
        }
        bar?.stop();
        await f.close();
        process.stderr.write(`wrote ${count} ${tf} bars to ${join(opts.out, 'bars.csv')}\n`);
        return;
      }
      const durationMs = parseDuration(opts.duration);
      if (durationMs <= 0 || durationMs > 30 * 86_400_000)
        throw new EmpError('BAD_DURATION', `--duration must be within (0, 30d], got "${opts.duration}"`);
      const nVenues = intInRange(opts.venues, 'venues', 1, DEFAULT_VENUES.length);
      const sim = new MarketSimulator({ seed, durationMs, venues: DEFAULT_VENUES.slice(0, nVenues) });
      const c = sim.config;

      const truth = new CsvFile(join(opts.out, 'truth.csv'), 'time,symbol,price,usdt_basis,regime');
      for (const p of sim.truth()) await truth.row(`${p.ts},${p.symbol},${p.price},${p.usdtBasis},${p.regime}`);
      await truth.close();

      const faults = new CsvFile(join(opts.out, 'faults.csv'), 'start,end,venue,symbol,kind,magnitude');
      for (const f of sim.faults()) await faults.row(`${f.start},${f.end},${f.venue},${f.symbol},${f.kind},${f.magnitude}`);
      await faults.close();

      const files = new Map<string, { trades: CsvFile; quotes: CsvFile }>();
      for (const v of c.venues) {
        mkdirSync(join(opts.out, v.name), { recursive: true });
        files.set(v.name, {
          trades: new CsvFile(join(opts.out, v.name, 'trades.csv'), 'time,recv_time,symbol,raw_symbol,price,size,side,id'),
          quotes: new CsvFile(join(opts.out, v.name, 'quotes.csv'), 'time,recv_time,symbol,raw_symbol,bid,bid_size,ask,ask_size'),
        });
      }
      const bar = progressBar(Math.round(durationMs / 1000), opts.progress, 'simulate', 'simulated s');
      let n = 0;
      let lastSec = 0;
      for (const r of sim.records()) {
        const f = files.get(r.venue);
        if (!f) continue;
        if (r.type === 'trade') await f.trades.row(`${r.ts},${r.recvTs},${r.symbol},${r.rawSymbol},${r.price},${r.size},${r.side},${r.id}`);
        else await f.quotes.row(`${r.ts},${r.recvTs},${r.symbol},${r.rawSymbol},${r.bid},${r.bidSize},${r.ask},${r.askSize}`);
        n++;
        const sec = Math.floor((r.recvTs - c.start) / 1000);
        if (bar && sec - lastSec >= 60) {
          bar.update(Math.min(sec, bar.getTotal()));
          lastSec = sec;
        }
      }
      for (const f of files.values()) {
        await f.trades.close();
        await f.quotes.close();
      }
      bar?.update(bar.getTotal());
      bar?.stop();
      process.stderr.write(`wrote ${n} records from ${nVenues} venues, ${sim.faults().length} faults, to ${opts.out}\n`);
    });
}
