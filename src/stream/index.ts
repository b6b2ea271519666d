/** Streaming: venue connections with reconnection and health, bounded queues, bar aggregation. */
export { BarAggregator } from './bars.ts';
export { BookSide, LevelChange, type LevelProblem, OrderBook } from './book.ts';
export type { Channel, FrameOutcome, LineStreamCodec, Subscription, VenueCodec } from './codec.ts';
export {
  type BackoffOptions,
  backoffDelay,
  type ConnectionHealth,
  type FeedConnection,
  type ReconnectOptions,
  VenueConnection,
  type VenueConnectionOptions,
} from './connection.ts';
export {
  type ConsolidatedBook,
  type ConsolidatedLevel,
  type ConsolidateOptions,
  consolidate,
  type DepthBand,
  type VenueBookInput,
} from './consolidated-book.ts';
export { HttpStreamConnection, type HttpStreamOptions } from './http-stream.ts';
export { BoundedQueue, type BoundedQueueOptions, type OverflowPolicy } from './queue.ts';
