// app.js — the single-page shell: header, navigation by role, and the hash router.
//
// Routes are "#/path/segments?query". Each page is a module under pages/ exporting
// render(ctx); the router loads it on demand, gives it a fresh container, and moves focus to the
// page's heading so that screen readers announce the new page. A 401 anywhere sends the person
// to sign-in and, once signed in again, back to the page they were on.

import * as api from './api.js';
import { h, clear, errorBox, takenAt } from './dom.js';
import { T, LABELS } from './i18n.js';
import { getUnit, setScope } from './refdata.js';

const RETURN_KEY = 'cdt.return';

// pattern → [module, page title, stamped]; :name captures one segment. A stamped page shows data
// read from the API: it says when it was read (printed with it); the dashboard says so itself.
const ROUTES = [
  ['/signin', 'signin', T.signIn],
  ['/', 'dashboard', T.dashboard],
  ['/dashboard/:unit', 'dashboard', T.dashboard],
  ['/teams', 'teams', T.teams, true],
  ['/teams/new', 'team', T.teams],
  ['/teams/:id', 'team', T.teams, true],
  ['/activities', 'activities', T.activities, true],
  ['/activities/new', 'activities', T.activities],
  ['/activities/:id', 'activities', T.activities],
  ['/deadlines', 'deadlines', T.deadlines, true],
  ['/deadlines/new', 'deadlines', T.deadlines],
  ['/deadlines/:id', 'deadlines', T.deadlines, true],
  ['/reports', 'reports', T.reports],
  ['/import', 'import', T.import],
  ['/admin', 'admin', T.admin, true],
  ['/admin/:tab', 'admin', T.admin, true],
];

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, module, title, stamped] of ROUTES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    let ok = true;
    want.forEach((w, i) => {
      if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(parts[i]);
      else if (w !== parts[i]) ok = false;
    });
    if (ok) return { module, title, params, stamped: Boolean(stamped) };
  }
  return null;
}

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(qs) };
}

/** "#/teams" + {q: 'x', page: ''} → "#/teams?q=x". */
export function hashFor(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, v);
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

// Where to come back to after the next render (navigate's `keep`): the scroll position, and the
// element to focus instead of the page's heading.
let keepPlace = null;

/**
 * Goes to `hash`. replace: re-renders in place (no history entry). keep: a CSS selector; the page
 * comes back at the same scroll position with focus on that element (a row just saved), not on
 * its heading, so that a person working down a list keeps their place.
 */
export function navigate(hash, { replace = false, keep = null } = {}) {
  keepPlace = keep ? { y: window.scrollY, selector: keep } : null;
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

// ---------------------------------------------------------------------------------------------
// The shell.

const $ = (id) => document.getElementById(id);

function navItems(user) {
  if (!user) return [];
  const items = [
    ['#/', T.dashboard, '/'],
    ['#/teams', T.teams, '/teams'],
    ['#/activities', T.activities, '/activities'],
    ['#/deadlines', T.deadlines, '/deadlines'],
    ['#/reports', T.reports, '/reports'],
  ];
  if (!user.read_only) items.push(['#/import', T.import, '/import']);
  items.push(['#/admin', T.admin, '/admin']);
  return items;
}

function renderShell(user, path) {
  const nav = $('nav-list');
  clear(nav);
  for (const [href, text, prefix] of navItems(user)) {
    const current = prefix === '/' ? path === '/' || path.startsWith('/dashboard') : path.startsWith(prefix);
    nav.append(h('li', {}, h('a', { href, 'aria-current': current ? 'page' : undefined }, text)));
  }
  $('site-nav').hidden = !user;
  $('menu-toggle').hidden = !user;
  const who = $('who');
  clear(who);
  if (user) {
    who.append(...[
      h('span', { class: 'who-name' }, user.full_name || user.username),
      h('span', { class: 'who-role' }, LABELS.role[user.role] || user.role),
      user.read_only ? h('span', { class: 'badge badge-muted' }, T.readOnlyAccount) : null,
      h('span', { class: 'who-unit', id: 'who-unit' }),
    ].filter(Boolean));
    if (user.unit) {
      getUnit(user.unit).then((u) => {
        const el = $('who-unit');
        if (el && u) el.textContent = u.name;
      }).catch(() => {});
    }
  }
  $('sign-out').hidden = !user;
}

/**
 * On paper every <details> is open (the tables behind "Bảng số liệu…"), then as it was: on
 * window.print(), and when print media is emulated (the browser tests).
 */
function expandForPrint(printing) {
  for (const d of document.querySelectorAll('details')) {
    if (printing && !d.open) {
      d.dataset.printOpened = '1';
      d.open = true;
    } else if (!printing && d.dataset.printOpened) {
      delete d.dataset.printOpened;
      d.open = false;
    }
  }
}

function setupShell() {
  window.addEventListener('beforeprint', () => expandForPrint(true));
  window.addEventListener('afterprint', () => expandForPrint(false));
  window.matchMedia('print').addEventListener('change', (e) => expandForPrint(e.matches));
  // The skip link must not change the hash (the router owns it): it moves focus itself.
  document.querySelector('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('main').focus();
  });
  const toggle = $('menu-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    $('site-nav').classList.toggle('open', open);
  });
  $('nav-list').addEventListener('click', (e) => {
    if (e.target.closest('a')) {
      toggle.setAttribute('aria-expanded', 'false');
      $('site-nav').classList.remove('open');
    }
  });
  $('sign-out').addEventListener('click', () => {
    api.clearSession();
    sessionStorage.removeItem(RETURN_KEY);
    navigate('#/signin?out=1');
  });
}

// ---------------------------------------------------------------------------------------------
// The router.

let renderSeq = 0;
let goingToSignIn = false;

/** Remembers where to come back to, then shows sign-in. */
function toSignIn(reason) {
  const { path } = parseHash();
  if (path !== '/signin') {
    try {
      sessionStorage.setItem(RETURN_KEY, location.hash || '#/');
    } catch {
      // no storage: come back to the dashboard
    }
  }
  if (goingToSignIn) return;
  goingToSignIn = true;
  setTimeout(() => { goingToSignIn = false; }, 0);
  navigate(`#/signin${reason ? `?reason=${reason}` : ''}`);
}

/** After signing in: the page remembered before sign-in, or the dashboard. */
export function returnAfterSignIn() {
  let back = null;
  try {
    back = sessionStorage.getItem(RETURN_KEY);
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    back = null;
  }
  if (!back || back.startsWith('#/signin')) back = '#/';
  navigate(back);
}

async function render() {
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  const route = match(path);
  const user = api.currentUser();

  if (!api.signedIn() && path !== '/signin') {
    toSignIn();
    return;
  }
  if (api.signedIn() && path === '/signin') {
    navigate('#/', { replace: true });
    return;
  }
  setScope(api.signedIn() ? user : null);
  renderShell(api.signedIn() ? user : null, path);

  const main = $('main');
  const view = h('div', { class: 'view' });
  clear(main);
  main.append(view);
  // Busy until the page has rendered (screen readers wait; so do the browser tests).
  main.setAttribute('aria-busy', 'true');
  delete document.body.dataset.rendered;

  if (!route) {
    main.removeAttribute('aria-busy');
    document.title = `${T.pageNotFound} — ${T.appName}`;
    view.append(h('h1', { tabindex: '-1', id: 'page-title' }, T.pageNotFound), h('p', {}, h('a', { href: '#/' }, T.goHome)));
    document.body.dataset.rendered = location.hash || '#/';
    focusHeading();
    return;
  }
  document.title = `${route.title} — ${T.appName}`;
  const asked = new Date();
  const ctx = {
    params: route.params, query, path, user, view, navigate, hashFor,
    isCurrent: () => seq === renderSeq,
    setTitle: (title) => { document.title = `${title} — ${T.appName}`; },
    returnAfterSignIn,
  };
  try {
    const page = await import(`./pages/${route.module}.js`);
    if (seq !== renderSeq) return;
    await page.render(ctx);
  } catch (err) {
    if (err instanceof api.AuthError || seq !== renderSeq) return;
    clear(view);
    view.append(h('h1', { tabindex: '-1', id: 'page-title' }, route.title), errorBox(err, () => render()));
  }
  if (seq === renderSeq) {
    main.removeAttribute('aria-busy');
    if (route.stamped && !view.querySelector('.taken-at')) {
      // When these figures were read, under the heading: on screen and on paper (print).
      (view.querySelector('.page-head') || view.firstChild)?.after(takenAt(asked));
    }
    document.body.dataset.rendered = location.hash || '#/';
    const keep = keepPlace;
    keepPlace = null;
    if (!keep || !restorePlace(keep)) focusHeading();
  }
}

/** Back to where the person was (navigate's `keep`); false when the element is gone. */
function restorePlace({ y, selector }) {
  const el = document.querySelector(selector);
  if (!el) return false;
  window.scrollTo(0, y);
  el.focus({ preventScroll: true });
  const box = el.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) el.scrollIntoView({ block: 'center' });
  return true;
}

let firstRender = true;
function focusHeading() {
  // On the first load the browser's own focus is fine; after navigation, announce the page.
  if (firstRender) {
    firstRender = false;
    return;
  }
  const heading = document.getElementById('page-title');
  if (heading && !heading.contains(document.activeElement) && !document.querySelector('main [aria-invalid="true"]')) {
    heading.focus({ preventScroll: false });
  }
}

async function start() {
  setupShell();
  api.setUnauthorizedHandler(() => toSignIn('expired'));
  window.addEventListener('hashchange', render);
  if (api.restoreSession() && !api.currentUser()) {
    try {
      api.setUser(await api.get('/auth/me'));
    } catch {
      // 401 already went to sign-in; anything else: the pages will say so.
    }
  }
  render();
}

start();
