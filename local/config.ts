/**
 * Configuration of the local cloud, read once from the environment and the command line.
 * The only place in local/ that reads `process.env`.
 */

interface LocalConfig {
  port: number;
  host: '127.0.0.1';
  /** undefined = memory only. */
  dataDir: string | undefined;
  strictLimits: boolean;
  /** CROSSROLE_LOCAL_DATABASE_URL: the ledger on a PostgreSQL server instead of PGlite. */
  databaseUrl?: string;
}

const DEFAULT_LOCAL_PORT = 9494;

function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port: ${text}`);
  return n;
}

/**
 * Reads CROSSROLE_LOCAL_PORT, CROSSROLE_LOCAL_DATA_DIR, CROSSROLE_LOCAL_STRICT_LIMITS,
 * CROSSROLE_LOCAL_DATABASE_URL, then
 * `--port N`, `--data-dir DIR`, `--strict-limits` from `argv` (which win).
 */
export function loadLocalConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const config: LocalConfig = {
    port: parsePort(env.CROSSROLE_LOCAL_PORT, DEFAULT_LOCAL_PORT),
    host: '127.0.0.1',
    dataDir: env.CROSSROLE_LOCAL_DATA_DIR === undefined || env.CROSSROLE_LOCAL_DATA_DIR === '' ? undefined : env.CROSSROLE_LOCAL_DATA_DIR,
    strictLimits: env.CROSSROLE_LOCAL_STRICT_LIMITS === 'true' || env.CROSSROLE_LOCAL_STRICT_LIMITS === '1',
    ...(env.CROSSROLE_LOCAL_DATABASE_URL === undefined || env.CROSSROLE_LOCAL_DATABASE_URL === '' ? {} : { databaseUrl: env.CROSSROLE_LOCAL_DATABASE_URL }),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (a === '--port' && next !== undefined) {
      config.port = parsePort(next, config.port);
      i++;
    } else if (a === '--data-dir' && next !== undefined) {
      config.dataDir = next;
      i++;
    } else if (a === '--strict-limits') {
      config.strictLimits = true;
    } else if (a !== undefined && a.startsWith('--port=')) {
      config.port = parsePort(a.slice(7), config.port);
    } else if (a !== undefined && a.startsWith('--data-dir=')) {
      config.dataDir = a.slice(11);
    }
  }
  return config;
}
