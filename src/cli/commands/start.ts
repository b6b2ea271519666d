import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { MarketSimulator } from '../../sources/simulator/index.ts';

interface StartOptions {
  seed: string;
  speed: string;
}

/**
 * `emp start`: runs the built-in multi-venue simulator in real time and prints a live
 * summary each second (latent price and regime per instrument, each venue's last price,
 * events/s) until interrupted.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the built-in multi-venue simulator live and print a summary every second (Ctrl-C to stop)')
    .option('--seed <n>', 'simulator seed', '1')
    .option('--speed <x>', 'simulated seconds per wall-clock second', '1')
    .action(async (opts: StartOptions) => {
      const seed = Number(opts.seed);
      const speed = Number(opts.speed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new EmpError('BAD_ARGUMENT', `--seed must be a non-negative integer, got "${opts.seed}"`);
      if (!(speed > 0 && speed <= 1000)) throw new EmpError('BAD_ARGUMENT', `--speed must be in (0, 1000], got "${opts.speed}"`);
      const sim = new MarketSimulator({ seed, durationMs: Number.POSITIVE_INFINITY });
      const truth = sim.truth();
      const ac = new AbortController();
      const stop = (): void => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const last = new Map<string, Map<string, number>>();
      let events = 0;
      const simStart = Date.now();
      let truthTs = sim.config.start;
      const latest = new Map<string, { price: number; regime: string }>();
      const timer = setInterval(() => {
        // Advance the truth to the current simulated time.
        const simNow = sim.config.start + (Date.now() - simStart) * speed;
        while (truthTs < simNow) {
          const p = truth.next();
          if (p.done) break;
          latest.set(p.value.symbol, { price: p.value.price, regime: p.value.regime });
          truthTs = p.value.ts;
        }
        const lines = [`${new Date().toISOString()}  ${events} events/s`];
        for (const ins of sim.config.instruments) {
          const t = latest.get(ins.symbol);
          const venues = [...(last.get(ins.symbol.split('-')[0] as string) ?? new Map()).entries()]
            .map(([v, p]) => `${v} ${p.toPrecision(7)}`)
            .join('  ');
          lines.push(`  ${ins.symbol.padEnd(8)} latent ${t ? t.price.toFixed(2) : '-'} (${t?.regime ?? '-'})  ${venues}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
        events = 0;
      }, 1000);
      try {
        for await (const r of sim.stream({ speed, signal: ac.signal })) {
          events++;
          const base = r.symbol.split('-')[0] as string;
          let m = last.get(base);
          if (!m) last.set(base, (m = new Map()));
          m.set(r.venue, r.type === 'trade' ? r.price : (r.bid + r.ask) / 2);
        }
      } finally {
        clearInterval(timer);
      }
    });
}
