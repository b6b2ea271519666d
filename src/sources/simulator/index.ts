export * from './bars.ts';
export * from './depth.ts';
export * from './faults.ts';
export * from './market-simulator.ts';
export * from './regime-model.ts';
export type * from './types.ts';
export * from './venues.ts';
