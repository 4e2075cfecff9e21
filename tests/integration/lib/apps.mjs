// The apps every test server is configured with. Field names are the YAML keys of the config
// contract; tests refer to apps by the short names below.

const baseline = {
  activity_timeout: 30,
  ping_interval: 60,
  pong_timeout: 30,
  max_message_size: 10000,
  allowed_origins: ['*'],
  client_events: 'members',
  user_authentication: true,
  client_event_rate_limit: 10,
  max_presence_members: 100,
  max_user_info_bytes: 1024,
  max_event_payload_bytes: 10240,
  max_batch_size: 10,
  max_channels_per_event: 100,
  cache_ttl: 1800,
  max_connections: 0,
};

const app = (id, key, secret, overrides = {}) => ({ id, key, secret, ...baseline, ...overrides });

export const APPS = {
  /** The app most tests use. */
  main: app('app-1', 'key-1', 'secret-1'),
  /** A second, otherwise identical app: events must not leak between apps. */
  other: app('app-2', 'key-2', 'secret-2'),
  /** Only pages served from example.com may connect. */
  origin: app('app-origin', 'key-origin', 'secret-origin', { allowed_origins: ['example.com'] }),
  /** Client events disabled. */
  noClientEvents: app('app-noclient', 'key-noclient', 'secret-noclient', { client_events: 'none' }),
  /** Fast heartbeats so server pings and 4201 closes happen within seconds. */
  fastPing: app('app-fastping', 'key-fastping', 'secret-fastping', {
    activity_timeout: 2,
    ping_interval: 2,
    pong_timeout: 2,
  }),
  /** Tight presence limits: 2 members per channel, 64-byte user_info. */
  limits: app('app-limits', 'key-limits', 'secret-limits', { max_presence_members: 2, max_user_info_bytes: 64 }),
  /** At most 2 connections at once. */
  capped: app('app-capped', 'key-capped', 'secret-capped', { max_connections: 2 }),
  /** Large WebSocket messages allowed (64-bit frame lengths). */
  big: app('app-big', 'key-big', 'secret-big', { max_message_size: 100000, max_event_payload_bytes: 100000 }),
};

/**
 * YAML for `server` (+ `server` overrides) and `apps`, written by hand: JSON scalars and flow
 * sequences are valid YAML.
 */
export function configYaml({ port, logLevel = 'warn', server = {}, apps = Object.values(APPS) }) {
  const settings = {
    host: '127.0.0.1',
    port,
    io_threads: 2,
    log_level: logLevel,
    auth_timestamp_window: 600,
    ...server, // max_request_size: the built-in default unless a test sets it

  };
  const lines = ['server:', ...Object.entries(settings).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`), 'apps:'];
  for (const app of apps) {
    let first = true;
    for (const [key, value] of Object.entries(app)) {
      lines.push(`${first ? '  - ' : '    '}${key}: ${JSON.stringify(value)}`);
      first = false;
    }
  }
  return lines.join('\n') + '\n';
}
