// pages/dashboard.js — #/ and #/dashboard/<unit>: how the caller's unit (or a unit below it)
// stands. Figures from GET /stats/overview as cards, counts and rates; a bar chart of the rates
// per child unit (communes covered, compliant teams, members trained: one measure, %) whose bars
// and sortable table rows drill down; a line chart of activities and people reached (GET
// /stats/timeseries, one measure per axis), or "no activity" when there is none; each year's
// activity figures side by side; where the unit came from (the 2025 reform) with a link to each
// old unit's own figures, on the units of its day; the overdue and soon-due deadlines of the unit
// shown; the time the figures were taken (printed with them).

import { ProblemError, get } from '../api.js';
import { badge, clear, form, h, link, load, notice, pageHeader, table, takenAt } from '../dom.js';
import {
  LABELS, RATES, T, formatDate, formatNumber, formatPercent, formatPeriod, formatRate, label, todayIso,
} from '../i18n.js';
import { chainBetween, getUnit } from '../refdata.js';

const SOON_DAYS = 14;

const TEAM_FIGURES = [
  ['teams_active', 'Tổ đang hoạt động'],
  ['teams_compliant', 'Tổ đạt cơ cấu', 'ok'],
  ['members_active', 'Thành viên đang tham gia'],
  ['members_trained', 'Thành viên đã hoàn thành tập huấn'],
];
const ACTIVITY_FIGURES = [
  ['activities', 'Số hoạt động'],
  ['people_reached', 'Số người được hỗ trợ'],
  ...Object.entries(LABELS.outcome),
];
const TARGET_FIGURES = [
  ['targets_overdue', 'Quá hạn', 'bad'],
  ['targets_pending', 'Chưa đến hạn', 'warn'],
  ['targets_done_on_time', 'Hoàn thành đúng hạn', 'ok'],
  ['targets_done_late', 'Hoàn thành trễ hạn'],
];

const charts = new Set();
function destroyCharts() {
  for (const c of charts) c.destroy();
  charts.clear();
}

export async function render(ctx) {
  const { view, user, query, params } = ctx;
  destroyCharts();
  const unit = params.unit || '';
  const from = query.get('from') || '';
  const to = query.get('to') || '';

  const head = pageHeader(T.dashboard);
  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Vị trí' });
  const period = periodForm(ctx, unit, from, to);
  const lineage = h('div', { id: 'lineage' });
  const figures = h('div', { id: 'figures' });
  const chartArea = h('div', { class: 'charts' });
  const years = h('section', { class: 'panel', 'aria-labelledby': 'years-title' });
  const deadlines = h('section', { class: 'panel', 'aria-labelledby': 'dl-title' });
  view.append(head, crumbs, lineage, period, figures, chartArea, years, deadlines);

  await load(figures, async () => {
    const asked = new Date();
    let overview;
    try {
      overview = await get('/stats/overview', { unit, from, to });
    } catch (err) {
      // A range the API refuses (from after to, typed into the address): said beside the field.
      if (!(err instanceof ProblemError) || !err.errors.some((e) => e.field === 'from' || e.field === 'to')) throw err;
      period.open = true;
      period.form.showErrors(err);
      return notice('error', T.badRange);
    }
    if (!ctx.isCurrent()) return null;
    // An enterprise's figures are its own enterprise's: titled with its name, not its commune's.
    const name = user.role === 'enterprise' && user.enterprise
      ? (await get(`/enterprises/${user.enterprise}`)).name : overview.unit.name;
    head.querySelector('h1').textContent = `${T.dashboard}: ${name}`;
    ctx.setTitle(`${T.dashboard}: ${name}`);
    head.after(takenAt(asked));
    await breadcrumb(crumbs, user, overview.unit);
    if (user.role !== 'enterprise') load(lineage, () => lineageNote(overview));
    renderCharts(ctx, chartArea, overview, from, to);
    load(years, () => yearsPanel(overview));
    // The deadlines of the unit shown: the caller's own, or the unit drilled into.
    load(deadlines, () => deadlineList(user, unit && unit !== user.unit ? overview.unit : null));
    return renderFigures(overview, user);
  });
}

// ---------------------------------------------------------------------------------------------
// The units in time (issue 12): where a unit came from, or what took its place, and the figures
// of each year side by side, on the units the figures are about.

/** "Trước 01/07/2025: …" — the predecessors of a unit, or the end and successors of a closed one. */
async function lineageNote(o) {
  const u = await getUnit(o.unit.code);
  if (!u) return null;
  const links = (list) => list.flatMap((x, i) => [i ? ', ' : '', link(`#/dashboard/${encodeURIComponent(x.code)}`, x.name)]);
  if (u.valid_to && u.valid_to <= todayIso()) {
    return notice('info', h('span', {},
      `${u.name} đã kết thúc từ ngày ${formatDate(u.valid_to)} (sắp xếp đơn vị hành chính). `,
      `Số liệu dưới đây tính theo địa giới ngày ${formatDate(o.on)}. `,
      u.successors.length ? h('span', {}, 'Đơn vị kế thừa: ', ...links(u.successors), '.') : 'Không có đơn vị kế thừa.'));
  }
  if (!u.predecessors.length) return null;
  return notice('info', h('span', {},
    `${u.name} hình thành ngày ${formatDate(u.valid_from)} từ: `, ...links(u.predecessors),
    '. Số liệu trước ngày này được cộng vào đơn vị hiện nay; chọn một đơn vị cũ để xem theo địa giới cũ.'));
}

const YEAR_FIGURES = [['activities', 'Số hoạt động'], ['people_reached', 'Số người được hỗ trợ'], ...Object.entries(LABELS.outcome)];

/** The activity figures of each year from 2024 (the year before the reform) to this one, side by side. */
async function yearsPanel(o) {
  const last = Number(todayIso().slice(0, 4));
  const list = [];
  for (let y = Math.min(2024, last); y <= last; y++) list.push(y);
  const per = await Promise.all(list.map((y) => get('/stats/overview', { unit: o.unit.code, on: o.on, from: `${y}-01-01`, to: `${y}-12-31` })));
  return h('div', {},
    h('h2', { id: 'years-title' }, 'So sánh theo năm'),
    h('p', { class: 'hint' }, `Hoạt động theo năm tổ chức, trên địa giới ngày ${formatDate(o.on)}.`),
    table([
      { label: 'Chỉ tiêu', value: ([, text]) => text },
      ...list.map((y, i) => ({ label: `Năm ${y}`, class: 'num', value: ([k]) => h('span', { dataset: { year: y, yearFigure: k } }, formatNumber(per[i].totals[k])) })),
    ], YEAR_FIGURES, { caption: `So sánh theo năm: ${o.unit.name}` }));
}

function periodForm(ctx, unit, from, to) {
  const f = form([
    { name: 'from', label: 'Từ ngày', type: 'date', value: from },
    { name: 'to', label: 'Đến ngày', type: 'date', value: to },
  ], {
    id: 'period-form',
    submitLabel: T.apply,
    className: 'filters',
    onSubmit: async (el) => {
      const v = el.values();
      if (!v) return;
      if (v.from && v.to && v.from > v.to) {
        // The API's own answer to a reversed range, said beside the field before asking.
        el.showErrors(new ProblemError(422, { errors: [{ field: 'from', message: 'must not be after to' }] }));
        return;
      }
      ctx.navigate(ctx.hashFor(unit ? `/dashboard/${unit}` : '/', { from: v.from, to: v.to }));
    },
    onCancel: from || to ? () => ctx.navigate(ctx.hashFor(unit ? `/dashboard/${unit}` : '/')) : null,
    cancelLabel: 'Toàn bộ thời gian',
  });
  const note = h('p', { class: 'hint' }, from || to
    ? `Hoạt động và nhiệm vụ tính trong khoảng ${from ? formatDate(from) : '…'} – ${to ? formatDate(to) : '…'}.`
    : 'Hoạt động và nhiệm vụ tính trên toàn bộ thời gian; chọn khoảng ngày để thu hẹp.');
  f.querySelector('.form-grid').after(note);
  const box = h('details', { class: 'period', open: Boolean(from || to) },
    h('summary', {}, 'Khoảng thời gian'), f);
  box.form = f;
  return box;
}

async function breadcrumb(nav, user, unit) {
  clear(nav);
  if (!user.unit || unit.code === user.unit) return;
  const chain = await chainBetween(user.unit, unit.code);
  if (!chain.length) return;
  nav.append(h('ol', {}, chain.map((u, i) => h('li', {},
    i === chain.length - 1 ? h('span', { 'aria-current': 'page' }, u.name)
      : link(u.code === user.unit ? '#/' : `#/dashboard/${u.code}`, u.name)))));
}

function card(key, text, kind, value) {
  return h('li', { class: ['card', kind && `card-${kind}`] },
    h('p', { class: 'card-label', id: `fig-${key}` }, text),
    h('p', { class: 'card-value', 'aria-describedby': `fig-${key}` },
      h('span', { dataset: { figure: key } }, formatNumber(value))));
}

function renderFigures(o, user) {
  const t = o.totals;
  const out = h('div', {});
  const teamCards = [];
  if (user.role !== 'enterprise') {
    teamCards.push(h('li', { class: 'card card-ok' },
      h('p', { class: 'card-label', id: 'fig-communes' }, 'Số xã có tổ'),
      h('p', { class: 'card-value', 'aria-describedby': 'fig-communes' },
        h('span', { dataset: { figure: 'communes_with_team' } }, formatNumber(t.communes_with_team)),
        h('span', { class: 'card-sub' }, ' / ', h('span', { dataset: { figure: 'communes_total' } }, formatNumber(t.communes_total))))));
  }
  for (const [k, text, kind] of TEAM_FIGURES) teamCards.push(card(k, text, kind, t[k]));
  if (user.role !== 'enterprise') teamCards.push(card('hamlets_with_team', 'Số khu phố, ấp có tổ', null, t.hamlets_with_team));
  out.append(h('h2', {}, 'Tổ và thành viên'), h('ul', { class: 'cards' }, teamCards));
  // The rates, each with what it is of ("—" when there is nothing to measure).
  out.append(h('h2', {}, 'Tỷ lệ'), h('ul', { class: 'cards cards-small', id: 'rates' },
    RATES.filter(([r]) => r !== 'coverage_rate' || user.role !== 'enterprise').map(([r, num, den, text]) =>
      h('li', { class: 'card card-ok' },
        h('p', { class: 'card-label', id: `fig-${r}` }, text),
        h('p', { class: 'card-value', 'aria-describedby': `fig-${r}` },
          h('span', { dataset: { figure: r } }, formatPercent(t[r])),
          t[r] === null || !den ? null : h('span', { class: 'card-sub' }, ` (${formatNumber(t[num])}/${formatNumber(t[den])})`))))));

  out.append(h('h2', {}, 'Hoạt động và kết quả'),
    h('ul', { class: 'cards cards-small' }, ACTIVITY_FIGURES.map(([k, text]) => card(k, text, null, t[k]))));

  out.append(h('h2', {}, 'Nhiệm vụ có thời hạn (đối tượng được giao)'),
    h('ul', { class: 'cards cards-small' }, TARGET_FIGURES.map(([k, text, kind]) => card(k, text, kind, t[k]))));
  if (!o.children.length && o.unit.level === 'commune') {
    out.append(h('p', {}, link(`#/teams?unit=${o.unit.code}`, `Xem danh sách tổ của ${o.unit.name}`)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Charts (Chart.js, vendored; window.Chart from vendor/chart.js/chart.umd.min.js).

const COLORS = ['#0a4a8a', '#1b6b33', '#c98a00'];
const BY_LEVEL = { district: 'Theo huyện, quận, thị xã, thành phố', commune: 'Theo xã, phường, thị trấn' };

function chartDefaults(Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1c2530';
  Chart.defaults.locale = 'vi-VN';
  Chart.defaults.animation = false;
}

function renderCharts(ctx, area, o, from, to) {
  clear(area);
  const Chart = window.Chart;
  if (o.children.length) {
    const panel = childrenPanel(ctx, o, Chart);
    area.append(panel);
    panel.mount();
  }
  const lineBox = h('section', { class: 'panel', 'aria-labelledby': 'line-title' });
  area.append(lineBox);
  load(lineBox, () => activityPanel(ctx, o, Chart, from, to));
}

// The rates of the children drawn side by side: one measure (a share, 0 to 100 %) on one axis.
const BAR_RATES = RATES.filter(([r]) => r !== 'on_time_rate');

function childrenPanel(ctx, o, Chart) {
  // A province without districts: its communes; one with an intermediate level (or both): its units.
  const levels = new Set(o.children.map((c) => c.level));
  const title = (levels.size === 1 && BY_LEVEL[o.children[0].level]) || 'Theo đơn vị trực thuộc';
  // Horizontal bars, one row per unit, when there are many units or the screen is narrow.
  const narrow = window.matchMedia('(max-width: 40rem)').matches;
  const many = o.children.length > 12 || (narrow && o.children.length > 4);
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'bar-title' },
    h('h2', { id: 'bar-title' }, `${title}: tỷ lệ xã có tổ, tổ đạt cơ cấu, thành viên đã tập huấn`),
    h('p', { class: 'hint' }, 'Chọn một cột hoặc một tên đơn vị trong bảng để xem chi tiết đơn vị đó; bấm tên cột của bảng để sắp xếp.'));
  // Nothing to draw when no child has a team: say so instead of a chart of empty bars.
  const drawn = o.children.some((c) => BAR_RATES.some(([r]) => c[r] !== null) && c.teams_active > 0);
  if (Chart && drawn) {
    chartDefaults(Chart);
    const box = h('div', { class: 'chart-box' });
    const canvas = h('canvas', { role: 'img', 'aria-label': `Biểu đồ cột tỷ lệ theo đơn vị trực thuộc ${o.unit.name}; số liệu chi tiết ở bảng bên dưới.` });
    box.append(canvas);
    if (many) box.style.height = `${Math.max(16, o.children.length * (narrow ? 2.6 : 1.9))}rem`;
    panel.append(box);
    const percent = (v) => formatPercent(v / 100);
    panel.mount = () => charts.add(new Chart(canvas, {
      type: 'bar',
      data: {
        labels: o.children.map((c) => c.name),
        datasets: BAR_RATES.map(([r, num, den, text], i) => ({
          label: text,
          data: o.children.map((c) => (c[r] === null ? null : Math.round(c[r] * 1000) / 10)),
          fractions: o.children.map((c) => [c[num], c[den]]),
          backgroundColor: COLORS[i],
          borderRadius: 2,
        })),
      },
      options: {
        indexAxis: many ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (c) => `${c.dataset.label}: ${c.raw === null ? T.none : percent(c.raw)} (${c.dataset.fractions[c.dataIndex].map(formatNumber).join('/')})`,
            },
          },
        },
        scales: {
          [many ? 'x' : 'y']: { beginAtZero: true, max: 100, title: { display: true, text: 'Tỷ lệ (%)' }, ticks: { callback: (v) => percent(v) } },
          [many ? 'y' : 'x']: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 0 } },
        },
        onClick: (event, elements) => {
          if (elements.length) ctx.navigate(`#/dashboard/${o.children[elements[0].index].code}`);
        },
        onHover: (event, elements) => {
          event.native.target.classList.toggle('clickable', elements.length > 0);
        },
      },
    }));
  } else {
    if (!drawn) panel.append(h('p', { class: 'empty', id: 'bar-empty' }, T.noTeamBelow));
    panel.mount = () => {};
  }
  const rateColumn = ([r, num, den, text]) => ({
    label: text, class: 'num', sort: (c) => c[r], value: (c) => h('span', { dataset: { rate: r } }, formatRate(c[r], c[num], den && c[den])),
  });
  const rows = table([
    { label: 'Đơn vị', sort: (c) => c.name, value: (c) => link(`#/dashboard/${c.code}`, c.name) },
    { label: 'Số xã có tổ', class: 'num', sort: (c) => c.communes_with_team, value: (c) => `${formatNumber(c.communes_with_team)} / ${formatNumber(c.communes_total)}` },
    rateColumn(RATES[0]),
    { label: 'Tổ đang hoạt động', class: 'num', sort: (c) => c.teams_active, value: (c) => formatNumber(c.teams_active) },
    rateColumn(RATES[1]),
    { label: 'Thành viên', class: 'num', sort: (c) => c.members_active, value: (c) => formatNumber(c.members_active) },
    rateColumn(RATES[2]),
    { label: 'Hoạt động', class: 'num', sort: (c) => c.activities, value: (c) => formatNumber(c.activities) },
    { label: 'Nhiệm vụ quá hạn', class: 'num', sort: (c) => c.targets_overdue, value: (c) => formatNumber(c.targets_overdue) },
    rateColumn(RATES[3]),
  ], o.children, { caption: `Số liệu theo đơn vị trực thuộc ${o.unit.name}`, rowProps: (c) => ({ dataset: { unit: c.code } }) });
  panel.append(h('details', { class: 'table-alt', open: !Chart || !drawn || (!many && !narrow) },
    h('summary', {}, 'Bảng số liệu theo đơn vị'), rows));
  return panel;
}

async function activityPanel(ctx, o, Chart, from, to) {
  const q = { unit: o.unit.code, interval: 'month', from, to };
  const [acts, people] = await Promise.all([
    get('/stats/timeseries', { ...q, metric: 'activities' }),
    get('/stats/timeseries', { ...q, metric: 'people_reached' }),
  ]);
  const out = h('div', {}, h('h2', { id: 'line-title' }, 'Hoạt động và số người được hỗ trợ theo tháng'));
  // No activity in the range: say so, rather than draw two flat lines at zero.
  if (!acts.some((p) => p.value) && !people.some((p) => p.value)) {
    out.append(h('p', { class: 'empty', id: 'line-empty' }, T.noActivity));
    return out;
  }
  if (Chart) {
    chartDefaults(Chart);
    const canvas = h('canvas', { role: 'img', 'aria-label': 'Biểu đồ đường số hoạt động và số người được hỗ trợ theo tháng; số liệu chi tiết ở bảng bên dưới.' });
    const box = h('div', { class: 'chart-box' }, canvas);
    out.append(box);
    // The canvas must be in the document before Chart.js measures it: load() calls mount().
    out.mount = () => {
      charts.add(new Chart(canvas, {
        type: 'line',
        data: {
          labels: acts.map((p) => formatPeriod(p.period_start, 'month')),
          datasets: [
            { label: 'Số hoạt động', data: acts.map((p) => p.value), borderColor: COLORS[0], backgroundColor: COLORS[0], yAxisID: 'y', tension: 0.2 },
            { label: 'Số người được hỗ trợ', data: people.map((p) => p.value), borderColor: COLORS[1], backgroundColor: COLORS[1], yAxisID: 'y1', tension: 0.2, borderDash: [6, 3] },
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'index', intersect: false },
          plugins: {
            legend: { position: 'bottom' },
            tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.raw)}` } },
          },
          scales: {
            y: { beginAtZero: true, position: 'left', title: { display: true, text: 'Số hoạt động' }, ticks: { precision: 0, callback: (v) => formatNumber(v) } },
            y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'Số người' }, ticks: { precision: 0, callback: (v) => formatNumber(v) } },
          },
        },
      }));
    };
  }
  out.append(h('details', { class: 'table-alt', open: !Chart },
    h('summary', {}, 'Bảng số liệu theo tháng'),
    table([
      { label: 'Tháng', value: (r) => formatPeriod(r.period_start, 'month') },
      { label: 'Số hoạt động', class: 'num', value: (r) => formatNumber(r.value) },
      { label: 'Số người được hỗ trợ', class: 'num', value: (r) => formatNumber(people[r.i].value) },
    ], acts.map((r, i) => ({ ...r, i })), { caption: 'Hoạt động theo tháng' })));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deadlines: overdue and due within SOON_DAYS days.

/** The deadlines of the caller's own unit, or (`shown`, a unit below drilled into) of that unit. */
async function deadlineList(user, shown) {
  const soon = todayIso(SOON_DAYS);
  const out = h('div', {}, h('h2', { id: 'dl-title' }, shown ? `Nhiệm vụ quá hạn và sắp đến hạn: ${shown.name}` : 'Nhiệm vụ quá hạn và sắp đến hạn'));
  const sections = [];
  if (shown) {
    // As the unit itself sees them: its own targets and those below it, counted over them.
    const [over, pending] = await Promise.all([
      get('/deadlines', { unit: shown.code, status: 'overdue', limit: 20, sort: 'due_on' }),
      get('/deadlines', { unit: shown.code, status: 'pending', to: soon, limit: 20, sort: 'due_on' }),
    ]);
    sections.push([`Nhiệm vụ giao cho ${shown.name} và các đơn vị trực thuộc`, [...over.items, ...pending.items], false]);
  } else if (user.role !== 'province') {
    const [over, pending] = await Promise.all([
      get('/deadlines', { mine: 'true', status: 'overdue', limit: 20, sort: 'due_on' }),
      get('/deadlines', { mine: 'true', status: 'pending', to: soon, limit: 20, sort: 'due_on' }),
    ]);
    sections.push(['Việc đơn vị phải làm', [...over.items, ...pending.items], true]);
  }
  if (!shown && (user.role === 'province' || user.role === 'district')) {
    const [over, pending] = await Promise.all([
      get('/deadlines', { status: 'overdue', limit: 20, sort: 'due_on' }),
      get('/deadlines', { status: 'pending', to: soon, limit: 20, sort: 'due_on' }),
    ]);
    // What the units below must do: the deadlines it issued, and for a district also the
    // province's to its communes (each counted over its own communes). The province's deadlines
    // to the district itself are its own work, listed above. Deadlines due before the unit began
    // (a province made in the 2025 reform) were the old units' work: their history, not its.
    const own = user.unit ? await getUnit(user.unit) : null;
    const followed = (d) => d.target_level !== user.role && !(own?.valid_from && d.due_on < own.valid_from);
    sections.push(['Nhiệm vụ của đơn vị cấp dưới (theo dõi)', [...over.items, ...pending.items].filter(followed), false]);
  }
  for (const [title, items, mine] of sections) {
    out.append(h('h3', {}, title));
    if (!items.length) {
      out.append(h('p', { class: 'empty' }, 'Không có nhiệm vụ quá hạn hoặc đến hạn trong 14 ngày tới.'));
      continue;
    }
    out.append(h('ul', { class: 'deadline-list', dataset: { list: mine ? 'mine' : 'issued' } }, items.map((d) => {
      const status = mine ? d.my_target.status : (d.due_on < todayIso() ? 'overdue' : 'pending');
      return h('li', {},
        link(`#/deadlines/${d.id}`, d.title),
        badge(label('targetStatus', status), status === 'overdue' ? 'bad' : 'warn'),
        h('span', { class: 'muted' }, `Hạn hoàn thành: ${formatDate(d.due_on)}`),
        mine ? null : h('span', { class: 'muted' },
          `Quá hạn ${formatNumber(d.targets.overdue)}, chưa đến hạn ${formatNumber(d.targets.pending)} / ${formatNumber(d.targets.total)} đơn vị`));
    })));
  }
  out.append(h('p', {}, link('#/deadlines', 'Xem tất cả nhiệm vụ có thời hạn')));
  out.dataset.deadlinesOf = shown ? shown.code : '';
  return out;
}
