// Live decisions: the latest decision per workflow (a decision without a workflow_id is
// its own row). Rows come from GET /v1/audit, then from the event stream; rendering
// reuses each row's element and keeps the rows on screen where they were, so that
// filters, focus and scroll position survive a stream of updates.

import { get, query } from './api.js';
import { byId, fill, h, modeBadge, showError, statusBadge, timeCell } from './dom.js';

const AUDIT_PAGE = 500;
/** A dashboard left open for days keeps at most this many workflows (the newest). */
const MAX_ROWS = 5_000;
const ERROR_FETCHES = 3;
const COLUMNS = ['Workflow', 'Time', 'Request id', 'Stage', 'Mode', 'Policy', 'QA status', 'audit_ok', 'Violation codes', 'Last error'];

export function createLiveView({ openDetail }) {
  const rows = new Map();
  const elements = new Map();
  const errors = errorLoader((requestId, error) => patchError(requestId, error));
  const el = {
    filters: byId('live-filters'),
    stage: byId('filter-stage'),
    code: byId('filter-code'),
    scroller: byId('live-scroll'),
    body: byId('live-body'),
    count: byId('live-count'),
    empty: byId('live-empty'),
    error: byId('live-error'),
    more: byId('live-more'),
  };
  let version = 0;
  let cursor;
  let scheduled = false;
  const knownStages = new Set();
  const knownCodes = new Set();

  el.filters.addEventListener('change', () => render());
  el.filters.addEventListener('submit', (event) => event.preventDefault());
  el.more.addEventListener('click', () => loadOlder());
  // A highlight is shown once: without this it would replay each time the view is shown again.
  el.body.addEventListener('animationend', (event) => event.target.closest?.('tr')?.classList.remove('fresh'));

  function upsert(row, fresh) {
    const existing = rows.get(row.key);
    if (existing && existing.request_id === row.request_id) {
      // The same decision from the audit page and from the stream: keep what each knows.
      rows.set(row.key, { ...existing, ...row, error: row.error === undefined ? existing.error : row.error, version: ++version, fresh });
    } else if (!existing || Date.parse(row.created_at) >= Date.parse(existing.created_at)) {
      rows.set(row.key, { ...row, version: ++version, fresh });
    } else {
      return;
    }
    knownStages.add(row.stage);
    row.violation_codes.forEach((c) => knownCodes.add(c));
    if (rows.size > MAX_ROWS * 1.1) prune();
    schedule();
  }

  function prune() {
    const oldest = [...rows.values()].sort(newestFirst).slice(MAX_ROWS);
    for (const row of oldest) {
      rows.delete(row.key);
      elements.get(row.key)?.remove();
      elements.delete(row.key);
    }
  }

  function patchError(requestId, error) {
    for (const row of rows.values()) {
      if (row.request_id === requestId) rows.set(row.key, { ...row, error, version: ++version, fresh: false });
    }
    schedule();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  }

  function render() {
    syncOptions(el.stage, knownStages, 'All stages');
    syncOptions(el.code, knownCodes, 'All codes');
    const visible = filtered([...rows.values()], currentFilters(el)).sort(newestFirst);
    const anchor = captureAnchor(el.scroller, el.body);
    const focused = focusedRowKey(el.body);
    reconcile(el.body, visible, elements, {
      create: (row) => rowElement(row, openDetail),
      update: (tr, row) => fillRow(tr, row, openDetail),
    });
    restoreAnchor(el.scroller, anchor, elements);
    if (focused) restoreFocus(elements.get(focused.key), focused.selector);
    el.count.textContent = `${visible.length} of ${rows.size} workflows shown`;
    el.empty.hidden = visible.length > 0;
    visible.forEach((row) => !row.allowed && row.error === undefined && errors.want(row.request_id));
  }

  async function loadLatest() {
    try {
      const page = await get(`/v1/audit${query({ limit: AUDIT_PAGE })}`);
      page.items.forEach((item) => upsert(fromAudit(item), false));
      if (cursor === undefined) cursor = page.next_cursor;
      el.more.hidden = !cursor;
      showError(el.error, null);
    } catch (error) {
      showError(el.error, error);
    }
    schedule();
  }

  async function loadOlder() {
    if (!cursor) return;
    el.more.disabled = true;
    try {
      const page = await get(`/v1/audit${query({ limit: AUDIT_PAGE, cursor })}`);
      page.items.forEach((item) => upsert(fromAudit(item), false));
      cursor = page.next_cursor;
      el.more.hidden = !cursor;
    } catch (error) {
      showError(el.error, error);
    } finally {
      el.more.disabled = false;
    }
  }

  return {
    /** Called on every (re)connection of the stream: fills what was missed meanwhile. */
    loadLatest,
    ingest: (event) => upsert(fromEvent(event), true),
    addStages: (names) => {
      names.forEach((n) => knownStages.add(n));
      schedule();
    },
    reset() {
      rows.clear();
      elements.clear();
      el.body.replaceChildren();
      knownStages.clear();
      knownCodes.clear();
      cursor = undefined;
      el.filters.reset();
      render();
    },
  };
}

// ---- rows -----------------------------------------------------------------------------------

function keyOf(workflowId, requestId) {
  return workflowId ? `wf:${workflowId}` : `rq:${requestId}`;
}

/** An audit row: always durable (audit_ok); its error is not stored there and is fetched when shown. */
function fromAudit(item) {
  return {
    key: keyOf(item.workflow_id, item.request_id),
    request_id: item.request_id,
    receipt_id: item.receipt_id,
    created_at: item.created_at,
    workflow_id: item.workflow_id,
    agent: item.agent,
    stage: item.stage,
    mode: item.mode,
    policy: { pack: item.pack, version: item.policy_version, hash: item.policy_hash },
    decision: item.decision,
    allowed: item.allowed,
    audit_ok: true,
    violation_codes: item.violation_codes,
    error: item.allowed ? null : undefined,
  };
}

function fromEvent(e) {
  return { ...e, key: keyOf(e.workflow_id, e.request_id), violation_codes: e.violation_codes ?? [], error: e.error ?? null };
}

function currentFilters(el) {
  const data = new FormData(el.filters);
  return { status: data.get('status') ?? '', stage: el.stage.value, code: el.code.value };
}

function filtered(rows, f) {
  return rows.filter((r) => (!f.status || r.decision === f.status) && (!f.stage || r.stage === f.stage) && (!f.code || r.violation_codes.includes(f.code)));
}

function newestFirst(a, b) {
  return Date.parse(b.created_at) - Date.parse(a.created_at) || (a.key < b.key ? -1 : 1);
}

/** Adds options for new values; the current choice is kept. */
function syncOptions(select, values, allLabel) {
  const have = new Set([...select.options].map((o) => o.value));
  const missing = [...values].filter((v) => !have.has(v));
  if (missing.length === 0) return;
  const chosen = select.value;
  const all = [...new Set([...have, ...values])].filter((v) => v !== '').sort();
  fill(select, h('option', { value: '' }, allLabel), all.map((v) => h('option', { value: v }, v)));
  select.value = chosen;
}

function rowElement(row, openDetail) {
  const tr = h('tr', { dataset: { key: row.key } });
  tr.addEventListener('click', (event) => {
    if (event.target.closest('button, a')) return;
    openDetail(tr.dataset.requestId, tr.querySelector('button.open-detail'), tr.__row);
  });
  return tr;
}

function fillRow(tr, row, openDetail) {
  // What the stream said, for a decision that has no audit row to fetch (audit_ok false).
  tr.__row = row;
  tr.dataset.requestId = row.request_id;
  tr.dataset.decision = row.decision;
  tr.dataset.version = String(row.version);
  tr.className = `status-${row.decision.toLowerCase()}${row.fresh ? ' fresh' : ''}`;
  // One wrapper per cell: on a phone a cell is a grid of two (its label, its content).
  const cell = (label, ...content) => h('td', { dataset: { label } }, h('div', { class: 'cell' }, ...content));
  const open = h('button', { type: 'button', class: 'link open-detail', title: row.request_id, 'aria-label': `Open decision ${row.request_id}` }, `${row.request_id.slice(0, 8)}…`);
  open.addEventListener('click', () => openDetail(row.request_id, open, row));
  fill(
    tr,
    cell(COLUMNS[0], row.workflow_id ? h('span', { class: 'mono' }, row.workflow_id) : h('span', { class: 'muted' }, '(none)'), row.agent ? h('small', { class: 'agent' }, row.agent) : null),
    cell(COLUMNS[1], timeCell(row.created_at)),
    cell(COLUMNS[2], open),
    cell(COLUMNS[3], row.stage),
    cell(COLUMNS[4], modeBadge(row.mode)),
    cell(COLUMNS[5], h('span', { class: 'mono', title: row.policy.hash }, `${row.policy.pack}@${row.policy.version}`)),
    cell(COLUMNS[6], statusBadge(row.decision)),
    cell(COLUMNS[7], row.audit_ok ? h('span', { class: 'ok' }, '✓ yes') : h('span', { class: 'not-ok' }, '✗ no')),
    cell(COLUMNS[8], row.violation_codes.length ? h('span', { class: 'codes' }, row.violation_codes.map((c) => h('code', { class: 'chip' }, c))) : h('span', { class: 'muted' }, '—')),
    cell(COLUMNS[9], errorCell(row.error)),
  );
}

function errorCell(error) {
  if (error === undefined) return h('span', { class: 'muted' }, 'loading…');
  if (error === null) return h('span', { class: 'muted' }, '—');
  return h('div', { class: 'row-error' }, h('strong', { class: 'error-code' }, error.code), h('span', { class: 'fix' }, error.suggestedFix));
}

// ---- keyed rendering that keeps the view steady --------------------------------------------

function reconcile(body, visible, elements, { create, update }) {
  visible.forEach((row, i) => {
    let tr = elements.get(row.key);
    if (!tr) elements.set(row.key, (tr = create(row)));
    if (tr.dataset.version !== String(row.version)) update(tr, row);
    const at = body.children[i];
    if (at !== tr) body.insertBefore(tr, at ?? null);
  });
  while (body.children.length > visible.length) body.lastElementChild.remove();
}

/** Rows near the top of the visible area and where they are, to put them back there after a render. */
function captureAnchor(scroller, body) {
  if (scroller.scrollTop <= 0) return null; // at the top: let new decisions appear
  const top = scroller.getBoundingClientRect().top;
  const candidates = [];
  for (const tr of body.children) {
    const rect = tr.getBoundingClientRect();
    if (rect.bottom <= top) continue;
    candidates.push({ key: tr.dataset.key, version: tr.dataset.version, offset: rect.top - top });
    if (candidates.length >= 12) break;
  }
  return candidates;
}

function restoreAnchor(scroller, anchor, elements) {
  if (!anchor) return;
  // A row that just changed has moved to the top: anchor on one that stayed where it was.
  const still = anchor.find((a) => elements.get(a.key)?.isConnected && elements.get(a.key).dataset.version === a.version);
  if (!still) return;
  const now = elements.get(still.key).getBoundingClientRect().top - scroller.getBoundingClientRect().top;
  scroller.scrollTop += now - still.offset;
}

function focusedRowKey(body) {
  const active = document.activeElement;
  const tr = active?.closest?.('tr');
  if (!tr || !body.contains(tr)) return null;
  return { key: tr.dataset.key, selector: active.classList.contains('open-detail') ? 'button.open-detail' : null };
}

function restoreFocus(tr, selector) {
  if (!tr?.isConnected || !selector) return;
  const target = tr.querySelector(selector);
  if (target && document.activeElement !== target) target.focus({ preventScroll: true });
}

/** Fetches the decisions of blocked rows (their error and suggestedFix), a few at a time, once each. */
function errorLoader(onLoaded) {
  const queued = new Set();
  const waiting = [];
  let active = 0;
  const pump = () => {
    while (active < ERROR_FETCHES && waiting.length > 0) {
      const id = waiting.shift();
      active++;
      get(`/v1/decisions/${encodeURIComponent(id)}`)
        .then((decision) => onLoaded(id, decision.error ?? null))
        .catch(() => onLoaded(id, { code: 'UNKNOWN', message: 'The decision could not be loaded.', suggestedFix: 'Open the decision to retry.' }))
        .finally(() => {
          active--;
          pump();
        });
    }
  };
  return {
    want(id) {
      if (queued.has(id)) return;
      queued.add(id);
      waiting.push(id);
      pump();
    },
  };
}
