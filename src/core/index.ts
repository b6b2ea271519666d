export * from './errors.ts';
export * from './events.ts';
export * from './instrument.ts';
export * from './market.ts';
export * from './random.ts';
export * from './regime.ts';
export * from './stats.ts';
export * from './time.ts';
