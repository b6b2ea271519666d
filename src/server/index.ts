/** The HTTP/WebSocket API: the server, its contract with the pipeline, and the schemas of what it sends. */
export { API_SCHEMAS, apiJsonSchema } from './schema.ts';
export { type ApiBackend, assertListenAllowed, type RunningServer, type ServerOptions, startServer } from './server.ts';
