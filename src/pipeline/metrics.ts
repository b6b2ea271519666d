/**
 * A small metrics registry rendered in the Prometheus text format. Values are read at scrape
 * time from getters, so the hot path only bumps plain numbers it already keeps.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  samples: () => [Labels, number][];
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  /** Registers a metric whose samples are read when scraped. */
  register(name: string, type: Family['type'], help: string, samples: () => [Labels, number][] | number): void {
    this.families.set(name, {
      help,
      type,
      samples: () => {
        const s = samples();
        return typeof s === 'number' ? [[{}, s]] : s;
      },
    });
  }

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const [labels, v] of f.samples()) {
        const l = Object.entries(labels)
          .map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
          .join(',');
        out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? v : 'NaN'}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
