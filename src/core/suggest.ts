/** Near-miss suggestions for mistyped names (options, commands, formats): "did you mean ...?". */

/** Edit distance with adjacent transpositions (`inptu` is one step from `input`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The candidates closest to `word` (at most a third of its letters off, or a unique prefix), best first. */
export function suggest(word: string, candidates: readonly string[]): string[] {
  const w = word.replace(/^-+/, '').toLowerCase();
  const prefixed = candidates.filter((c) => c.replace(/^-+/, '').toLowerCase().startsWith(w));
  if (w.length >= 3 && prefixed.length === 1) return prefixed;
  const limit = Math.max(1, Math.floor(w.length / 3));
  const scored = candidates
    .map((c) => ({ c, d: editDistance(w, c.replace(/^-+/, '').toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d);
  const best = scored[0]?.d;
  return scored.filter((x) => x.d === best).map((x) => x.c);
}

/** `; did you mean X?` for the candidates nearest to `word`, or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s.length ? `; did you mean ${s.join(' or ')}?` : '';
}
