// The log (util/log.c): one JSON object per line, valid UTF-8 even when the request was not —
// a path with %FF decodes to a byte that is no UTF-8, and must reach the log as U+FFFD.

import { test } from 'node:test';
import { assert } from './lib.mjs';
import { startServer } from './spawn.mjs';

test('every log line is valid UTF-8 JSON, bytes from a bad path replaced by U+FFFD', async () => {
  const srv = await startServer();
  let stopped;
  try {
    for (const path of ['/api/v1/teams/%FF%FE', '/api/v1/%C0%AF', '/api/v1/units/%E1%BB', '/api/v1/%F0%9F%98%80']) {
      const res = await fetch(srv.url + path);
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    }
  } finally {
    stopped = await srv.stop();
  }
  assert.equal(stopped.code, 0, srv.log());
  const bytes = srv.logBytes();
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // throws on invalid UTF-8
  const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const paths = lines.filter((l) => l.msg === 'request').map((l) => l.path);
  assert.ok(paths.includes('/api/v1/teams/\uFFFD\uFFFD'), `paths logged: ${JSON.stringify(paths)}`);
  assert.ok(paths.includes('/api/v1/😀'), 'valid UTF-8 is kept as it is');
});
