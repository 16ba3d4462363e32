// The activities' monthly rollup (sql/functions/35_rollup.sql), kept once per statement since
// issue 14 (item 4): after imports of many activities, a re-import that moves and changes them,
// single writes through the API and a team moved to another commune, the rollup must be what a
// fresh aggregate of every activity gives. The check is global, in one snapshot: the rollup is
// written in the same transaction as the activities it sums, so it holds whatever other files
// write meanwhile.

import { before, test } from 'node:test';
import { api, assert, createActivity, createTeam, DEMO, haveDb, show, sql, uniq } from './lib.mjs';

const P = 'demo.province';

function assertRollupIsFresh(what) {
  const [[keys, wrong]] = sql(`
    WITH fresh AS (
        SELECT r.unit_code, r.held_unit, r.month, sum(r.activities) AS activities, sum(r.people_reached) AS people,
               sum(r.vneid_activations) AS vneid, sum(r.people_trained) AS trained, sum(r.app_installs) AS apps
          FROM activities a JOIN teams t ON t.id = a.team_id,
               LATERAL (SELECT (activity_rollup_row(t.unit_code, team_home_on(t.id, a.held_on), a, 1)).*) r
         GROUP BY 1, 2, 3)
    SELECT count(*),
           count(*) FILTER (WHERE (coalesce(f.activities, 0), coalesce(f.people, 0), coalesce(f.vneid, 0),
                                   coalesce(f.trained, 0), coalesce(f.apps, 0))
                                  IS DISTINCT FROM
                                  (coalesce(m.activities, 0), coalesce(m.people_reached, 0), coalesce(m.vneid_activations, 0),
                                   coalesce(m.people_trained, 0), coalesce(m.app_installs, 0)))
      FROM fresh f FULL JOIN activity_month_unit m USING (unit_code, held_unit, month)`);
  assert.ok(Number(keys) > 0);
  assert.equal(Number(wrong), 0, `after ${what}: ${wrong} of ${keys} rollup rows differ from a fresh aggregate`);
  // Each unit's total over every month (activity_unit_total, 026_overview_unit_totals.sql) is the
  // sum of its rollup rows, every column.
  const [[units, off]] = sql(`
    WITH m AS (
        SELECT unit_code, sum(activities) AS a, sum(people_reached) AS p, sum(vneid_activations) AS v,
               sum(public_service_applications) AS s, sum(cashless_accounts) AS c, sum(ecommerce_shops) AS e,
               sum(app_installs) AS i, sum(people_trained) AS t
          FROM activity_month_unit GROUP BY unit_code)
    SELECT count(*),
           count(*) FILTER (WHERE (m.a, m.p, m.v, m.s, m.c, m.e, m.i, m.t) IS DISTINCT FROM
                                  (u.activities, u.people_reached, u.vneid_activations, u.public_service_applications,
                                   u.cashless_accounts, u.ecommerce_shops, u.app_installs, u.people_trained))
      FROM m FULL JOIN activity_unit_total u USING (unit_code)`);
  assert.ok(Number(units) > 0);
  assert.equal(Number(off), 0, `after ${what}: ${off} of ${units} units' activity totals differ from their rollup rows`);
}

const csv = (rows) => rows.map((r) => r.join(',')).join('\n') + '\n';
const importActivities = (text) => api('POST', '/import/activities', { as: P, raw: text, headers: { 'Content-Type': 'text/csv' } });

test('the rollup equals a fresh aggregate after imports, re-imports, single writes and a team moved', { skip: !haveDb() && 'needs DATABASE_URL' }, async () => {
  const teams = [
    await createTeam(P, { kind: 'commune', unit_code: DEMO.commune }),
    await createTeam(P, { kind: 'commune', unit_code: DEMO.dian }),
    await createTeam(P, { kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 3' }),
  ];
  const ext = uniq('ru').split(' ')[1];
  const header = ['external_id', 'team_id', 'held_on', 'kind', 'title', 'people_reached', 'outcomes.vneid_activations', 'outcomes.people_trained'];
  const rows = Array.from({ length: 240 }, (_, k) => [`${ext}-${k}`, teams[k % 3].id, `2026-${String(1 + (k % 9)).padStart(2, '0')}-${String(1 + (k % 27)).padStart(2, '0')}`,
    k % 2 ? 'vneid' : 'digital_skills', `Hoạt động ${k}`, 10 + k, k % 2 ? 3 + (k % 5) : '', k % 2 ? '' : 7]);
  let res = await importActivities(csv([header, ...rows]));
  assert.equal(res.status, 200, show(res));
  assert.equal(res.json.inserted, 240);
  assertRollupIsFresh('240 activities imported');

  // Again: a third moved to another day (another month), a third to another team, outcomes changed.
  const changed = rows.map((r, k) => (k % 3 === 0 ? [r[0], r[1], `2025-${String(1 + (k % 12)).padStart(2, '0')}-10`, ...r.slice(3)]
    : k % 3 === 1 ? [r[0], teams[(k + 1) % 3].id, ...r.slice(2)] : [...r.slice(0, 5), 99, 50, 1]));
  res = await importActivities(csv([header, ...changed]));
  assert.equal(res.status, 200, show(res));
  assert.equal(res.json.updated, 240, JSON.stringify(res.json));
  assertRollupIsFresh('240 activities re-imported, moved and changed');

  const one = await createActivity(P, teams[0].id, { held_on: '2026-03-03', people_reached: 40, outcomes: { vneid_activations: 4 } });
  assertRollupIsFresh('an activity created');
  assert.equal((await api('PATCH', `/activities/${one.id}`, { as: P, body: { held_on: '2026-05-05', team_id: teams[1].id } })).status, 200);
  assertRollupIsFresh('an activity moved to another day and team');
  assert.equal((await api('PATCH', `/activities/${one.id}`, { as: P, body: { title: 'Chỉ đổi tên' } })).status, 200);
  assertRollupIsFresh('an activity renamed');
  assert.equal((await api('DELETE', `/activities/${one.id}`, { as: P })).status, 204);
  assertRollupIsFresh('an activity deleted');

  const moved = await api('PATCH', `/teams/${teams[2].id}`, { as: P, body: { unit_code: DEMO.dian } });
  assert.equal(moved.status, 200, show(moved));
  assertRollupIsFresh('a team with 80 activities moved to another commune');
});
