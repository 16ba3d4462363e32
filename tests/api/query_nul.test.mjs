// A query value that decodes to NUL (issue 11 item 9): ?q=%00 read as an empty value, which a
// list takes for "no filter", so the caller got every row instead of an error; ?q=abc%00def was
// cut to "abc". Now any value holding %00 answers 422 naming the parameter, on every route,
// before the handler runs (docs/security.md §3: no NUL in query values).

import { test } from 'node:test';
import { api, assert, assertProblem, PREFIX, show } from './lib.mjs';

const P = 'demo.province';

test('a query value holding %00 answers 422 naming the parameter, on lists and elsewhere', async () => {
  for (const [path, name] of [
    ['/teams?q=%00', 'q'],
    ['/teams?q=abc%00def', 'q'],
    ['/members?limit=5&unit=%00', 'unit'],
    ['/units?q=x&Q=%00', 'Q'],
    ['/stats/overview?unit=74%00', 'unit'],
    ['/changes?after=0%00', 'after'],
    ['/deadlines?mine=true%00', 'mine'],
    ['/teams?format=csv&q=%00', 'q'],
    ['/auth/me?x=%00', 'x'],
  ]) {
    const res = await api('GET', PREFIX + path, { as: P });
    assertProblem(res, 422, { fields: [name] });
    assert.match(res.json.errors[0].message, /NUL/, show(res));
  }
  // A literal "%00" (sent as %2500) is text like any other.
  assert.equal((await api('GET', `${PREFIX}/teams?q=%2500`, { as: P })).status, 200);
  // No token: 401 first, as for every other check of the request.
  assertProblem(await api('GET', `${PREFIX}/teams?q=%00`), 401);
});
