import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { loadConfigFile, parseConfig, type ServiceConfig } from '../../pipeline/config.ts';
import { checkRoleConfig, ROLES, type Role } from '../../pipeline/roles.ts';
import { runRole, runService } from '../service.ts';

interface StartOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  live?: boolean;
  token?: string;
  seed?: string;
  speed?: string;
  transport?: string;
  history?: string;
  bus?: string;
  store?: string;
  role?: string;
  instruments?: string;
}

/** Config file first, then flags over it; validated by the one schema. */
function resolveConfig(opts: StartOptions, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const raw = (opts.config ? loadConfigFile(opts.config) : {}) as Record<string, Record<string, unknown>>;
  const num = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConfigError(`--${flag}: expected a number, got "${v}"`);
    return n;
  };
  const section = (k: string): Record<string, unknown> => {
    raw[k] = { ...(raw[k] ?? {}) };
    return raw[k] as Record<string, unknown>;
  };
  if (opts.port !== undefined) section('server').port = num('port', opts.port);
  if (opts.host !== undefined) section('server').host = opts.host;
  const token = opts.token ?? env.EMP_API_TOKEN;
  if (token) section('server').token = token;
  if (opts.dataDir !== undefined) section('store').dataDir = opts.dataDir;
  if (opts.store !== undefined) section('store').kind = opts.store;
  if (opts.bus !== undefined) section('bus').kind = opts.bus;
  if (opts.seed !== undefined) section('simulator').seed = num('seed', opts.seed);
  if (opts.speed !== undefined) section('simulator').speed = num('speed', opts.speed);
  if (opts.transport !== undefined) section('simulator').transport = opts.transport;
  if (opts.history !== undefined) section('simulator').historyMs = parseDuration(opts.history);
  if (opts.live) (raw as Record<string, unknown>).live = true;
  // The shared services' addresses from the environment, as deployments usually give them.
  if (env.EMP_NATS_URL) section('bus').natsUrl = env.EMP_NATS_URL;
  if (env.EMP_DATABASE_URL) section('store').postgresUrl = env.EMP_DATABASE_URL;
  if (opts.instruments !== undefined)
    (raw as Record<string, unknown>).instruments = opts.instruments
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return parseConfig(raw, opts.config ?? 'flags');
}

/** `emp start`: the service in one process, or one role of it scaled out (src/cli/service.ts). */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the service: live pipeline, HTTP/WebSocket API and dashboard (default source: the built-in simulator)')
    .option('--port <n>', 'HTTP port (default 8080; 0 picks a free one)')
    .option('--host <addr>', 'address to bind (default 127.0.0.1; anything else needs --token)')
    .option('--data-dir <dir>', 'where the embedded store lives (default .emp-data)')
    .option('--config <file>', 'JSON config file (see README: Configuration)')
    .option('--live', 'connect to the real venues instead of the simulator')
    .option('--token <token>', 'API token (or EMP_API_TOKEN)')
    .option('--seed <n>', 'simulator seed')
    .option('--speed <x>', 'simulated seconds per wall-clock second')
    .option('--transport <kind>', 'simulator delivery: ws (local venue sockets in each venue protocol) or memory')
    .option('--history <d>', 'simulated history before going live, as 1-minute bars through the same analysis (default 2d; 0 for none)')
    .option('--bus <kind>', 'inprocess or nats')
    .option('--store <kind>', 'sqlite or postgres')
    .option('--role <role>', 'all (one process, default), or with --bus nats: ingest, analyze or gateway (see README: Scale-out)')
    .option('--instruments <list>', 'comma-separated instruments (an analyze process takes these; see README: Scale-out)')
    .action(async (opts: StartOptions) => {
      const config = resolveConfig(opts);
      const role = (opts.role ?? 'all') as Role;
      if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError(`--role: expected one of ${ROLES.join(', ')}, got "${role}"`);
      if (role === 'all') return runService(config);
      try {
        checkRoleConfig(role, config);
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
      return runRole(role, config);
    });
}
