// The npm packages the suite drives, loaded in one place so that a missing `npm ci` fails with a
// message that says what to do instead of an opaque ERR_MODULE_NOT_FOUND.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const suiteDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = ['pusher-js', 'laravel-echo', 'pusher', 'ws'];
const missing = required.filter((name) => !existsSync(join(suiteDir, 'node_modules', name, 'package.json')));
if (missing.length > 0) {
  throw new Error(
    `integration test dependencies are not installed (missing: ${missing.join(', ')}).\n` +
      `Run \`npm ci\` in ${suiteDir} and re-run the tests.`,
  );
}

const require = createRequire(join(suiteDir, 'package.json'));

/** pusher-js, node build: the browser/Laravel client. */
export const PusherClient = require('pusher-js');
/** pusher (pusher-http-node): the official server SDK, used for every signed HTTP API call. */
export const PusherServer = require('pusher');
/** ws: an RFC 6455 client for raw protocol checks. */
export const WebSocket = require('ws');
/** laravel-echo: ESM only. */
export const Echo = (await import('laravel-echo')).default;
