// refdata.js — reference data the pages share: unit names (cached for the session), the
// administrative-unit picker (cascading selects below the caller's unit: Xã directly under a
// province of two levels, Huyện → Xã where a province has an intermediate level), and the team and
// enterprise pickers.

import { ProblemError, get, getAll } from './api.js';
import { h, clear } from './dom.js';
import { LABELS, T } from './i18n.js';

const units = new Map(); // code → Promise<unit | null>
const children = new Map(); // code → Promise<unit[]>
let scopeUnit = null; // the caller's unit (GSO code), or null for an enterprise account
let scopeKey = '';

/**
 * The caller, whose scope decides which units the API lets it read: its own and those below
 * (GET /units/{code} answers 404 for a unit above it). Called by the app on every page.
 */
export function setScope(user) {
  const key = user ? `${user.id}/${user.unit}/${user.enterprise}` : '';
  if (key === scopeKey) return;
  scopeKey = key;
  scopeUnit = user ? user.unit || null : null;
  units.clear();
  children.clear();
  bulk = null;
  enterprisesCache.p = null;
}

/**
 * Can the caller read this unit? GSO codes grow with depth (2, 3, 5 digits): a shorter code than
 * the caller's own is a unit above it, out of its scope, and is not asked for (a 404 each time).
 */
function readable(code) {
  const own = scopeUnit ? scopeUnit.length : 5;
  return code.length >= own;
}

/** "Thành phố Thủ Dầu Một", or for a unit the caller cannot read "đơn vị cấp huyện (mã 718)". */
export async function unitName(code) {
  if (!code) return '';
  const u = await getUnit(code);
  if (u) return u.name;
  const level = { 2: 'cấp tỉnh', 3: 'cấp huyện', 5: 'cấp xã' }[code.split('@')[0].length] || '';
  return `Đơn vị ${level} (mã ${code})`.replace('  ', ' ');
}

/** One unit by GSO code (cached); null when it does not exist or the caller cannot read it. */
export function getUnit(code) {
  if (!code || !readable(code)) return Promise.resolve(null);
  if (!units.has(code)) {
    const p = get(`/units/${encodeURIComponent(code)}`).catch((err) => {
      units.delete(code);
      if (err instanceof ProblemError && err.status === 404) return null;
      throw err;
    });
    units.set(code, p);
  }
  return units.get(code);
}

/** The open units directly below `code`, in GSO order (cached). */
export function childrenOf(code) {
  if (!children.has(code)) {
    const p = getAll('/units', { parent: code, sort: 'code' }).then((list) => {
      for (const u of list) if (!units.has(u.code)) units.set(u.code, Promise.resolve(u));
      return list.filter((u) => !u.valid_to || u.valid_to >= new Date().toISOString().slice(0, 10));
    }).catch((err) => {
      children.delete(code);
      throw err;
    });
    children.set(code, p);
  }
  return children.get(code);
}

let bulk = null;
/** Every unit in the caller's scope in a few list requests, once: cheaper than one request each. */
function preloadScope() {
  if (!bulk) {
    bulk = getAll('/units', { sort: 'code' }, 20000).then((list) => {
      for (const u of list) if (!units.has(u.code)) units.set(u.code, Promise.resolve(u));
    }).catch(() => { bulk = null; });
  }
  return bulk;
}

/** code → name for many codes at once. */
export async function unitNames(codes) {
  const unique = [...new Set(codes.filter(Boolean))];
  if (unique.filter((c) => !units.has(c) && readable(c)).length > 5) await preloadScope();
  const found = await Promise.all(unique.map((c) => unitName(c)));
  const map = new Map();
  unique.forEach((c, i) => map.set(c, found[i]));
  return map;
}

/** The chain of units from `root` down to `code` (both included); [] when code is not below root. */
export async function chainBetween(root, code) {
  const chain = [];
  let u = await getUnit(code);
  while (u) {
    chain.unshift(u);
    if (u.code === root) return chain;
    u = u.parent_code ? await getUnit(u.parent_code) : null;
  }
  return [];
}

const enterprisesCache = { p: null };
/** Every enterprise in the caller's scope (cached for the page's life). */
export function enterprises(refresh = false) {
  if (refresh || !enterprisesCache.p) {
    enterprisesCache.p = getAll('/enterprises', { sort: 'name' }).catch((err) => {
      enterprisesCache.p = null;
      throw err;
    });
  }
  return enterprisesCache.p;
}

/**
 * The unit picker: a fieldset of cascading selects below `root`.
 *   mode 'filter'   first option "Tất cả"; value '' when nothing is chosen
 *   mode 'commune'  a commune must be chosen; value '' until then
 *   mode 'any'      the root itself or anything below it; value is the deepest choice
 * build(id) → element with .read(), .write(code), .onchange(fn); the first select gets `id`.
 */
export function unitPicker({ root, mode = 'filter', legend, onChange } = {}) {
  return (id) => {
    const box = h('fieldset', { class: 'unit-picker', id: `${id}-group` });
    if (legend) box.append(h('legend', {}, legend));
    const row = h('div', { class: 'unit-picker-row' });
    box.append(row);
    let selects = []; // [{select, parent}]
    let value = mode === 'any' ? root : '';
    let rootUnit = null;

    const firstLabel = (parentUnit, depth) => {
      if (mode === 'any') return depth === 0 ? `Toàn ${parentUnit.name}` : `Toàn ${parentUnit.name}`;
      if (mode === 'commune') return '— Chọn —';
      return T.all;
    };

    async function addLevel(parentCode, depth) {
      const parentUnit = await getUnit(parentCode);
      const list = await childrenOf(parentCode);
      if (!list.length) return null;
      // A province without districts lists its communes; one modelled with an intermediate level
      // (or mixing both) lists each level in a group of its own.
      const levels = [...new Set(list.map((u) => u.level))];
      const options = (units) => units.map((u) => h('option', { value: u.code }, u.name));
      const selId = depth === 0 ? id : `${id}-${depth}`;
      const select = h('select', { id: selId, name: `${id}-${depth}` },
        h('option', { value: '' }, firstLabel(parentUnit, depth)),
        levels.length === 1 ? options(list)
          : levels.map((l) => h('optgroup', { label: LABELS.level[l] || l }, options(list.filter((u) => u.level === l)))));
      const wrap = h('div', { class: 'unit-level' },
        h('label', { for: selId }, levels.length === 1 ? (LABELS.level[levels[0]] || levels[0]) : T.unitsBelow), select);
      row.append(wrap);
      const entry = { select, wrap, parent: parentCode, depth };
      selects.push(entry);
      select.addEventListener('change', () => choose(depth, select.value, true));
      return entry;
    }

    async function choose(depth, code, fire) {
      // Drop the levels below this one.
      for (const s of selects.slice(depth + 1)) s.wrap.remove();
      selects = selects.slice(0, depth + 1);
      const parent = selects[depth].parent;
      if (code) {
        const u = await getUnit(code);
        value = mode === 'commune' ? (u && u.level === 'commune' ? code : '') : code;
        if (u && u.level !== 'commune') await addLevel(code, depth + 1);
      } else {
        value = mode === 'commune' ? '' : mode === 'any' ? parent : (depth === 0 ? '' : parent);
      }
      if (fire && onChange) onChange(value);
      if (fire) box.dispatchEvent(new Event('unitchange', { bubbles: true }));
    }

    box.ready = (async () => {
      rootUnit = await getUnit(root);
      if (!rootUnit) return;
      if (rootUnit.level === 'commune') {
        // Nothing to choose below a commune.
        value = mode === 'filter' ? '' : root;
        row.append(h('p', { class: 'unit-fixed', id }, rootUnit.name));
        return;
      }
      await addLevel(root, 0);
    })();

    box.read = () => value;
    box.write = async (code) => {
      await box.ready;
      if (!code || code === root) {
        if (selects[0]) {
          selects[0].select.value = '';
          await choose(0, '', false);
        }
        return;
      }
      const chain = await chainBetween(root, code);
      for (let i = 1; i < chain.length; i++) {
        const entry = selects[i - 1];
        if (!entry) break;
        entry.select.value = chain[i].code;
        await choose(i - 1, chain[i].code, false);
      }
    };
    box.focus = () => (selects[0] ? selects[0].select.focus() : box.focus());
    return box;
  };
}

/** A field definition for the form builder wrapping the unit picker. */
export function unitField(name, label, opts) {
  let el;
  const build = unitPicker({ ...opts, legend: label });
  return {
    name, label, type: 'custom', group: true, required: opts.required, hint: opts.hint, wide: true,
    build: (id) => { el = build(id); return el; },
    read: () => el.read(),
    write: (v) => el.write(v),
  };
}

/** A select of teams in scope (active ones unless said), labelled "name — commune". */
export async function teamOptions(query = { status: 'active' }) {
  const page = await get('/teams', { ...query, limit: 1000, sort: 'name' });
  const names = await unitNames(page.items.map((t) => t.unit_code));
  return {
    total: page.total,
    options: page.items.map((t) => ({ value: t.id, label: `${t.name} — ${names.get(t.unit_code) || t.unit_code}` })),
  };
}

export { clear };
