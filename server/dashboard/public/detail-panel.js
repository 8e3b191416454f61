// One decision in full (GET /v1/decisions/:request_id), in a side panel (a full-screen
// sheet on a phone), with copy buttons for its request and receipt ids.

import { get } from './api.js';
import { byId, copyText, fill, h, modeBadge, showError, statusBadge } from './dom.js';

export function createDetailPanel() {
  const el = { panel: byId('detail'), body: byId('detail-body'), error: byId('detail-error'), close: byId('detail-close'), title: byId('detail-title'), status: byId('copy-status') };
  let returnFocus = null;
  let current = 0;

  el.close.addEventListener('click', () => close());
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !el.panel.hidden) close();
  });

  /** `known`: the row as the live view has it, shown when the decision cannot be fetched. */
  async function open(requestId, from, known) {
    const ticket = ++current;
    returnFocus = from ?? document.activeElement;
    el.panel.hidden = false;
    document.body.classList.add('detail-open');
    showError(el.error, null);
    el.status.textContent = '';
    fill(el.body, h('p', { class: 'muted' }, 'Loading…'));
    el.title.focus();
    try {
      const decision = await get(`/v1/decisions/${encodeURIComponent(requestId)}`);
      if (ticket === current) fill(el.body, ...decisionView(decision, (text, what) => copy(text, what)));
    } catch (error) {
      if (ticket !== current) return;
      fill(el.body, ...summaryView(requestId, known, (text, what) => copy(text, what)));
      showError(el.error, error);
    }
  }

  function close() {
    el.panel.hidden = true;
    document.body.classList.remove('detail-open');
    if (returnFocus?.isConnected) returnFocus.focus();
  }

  async function copy(text, what) {
    const ok = await copyText(text);
    el.status.textContent = ok ? `Copied ${what}.` : `Could not copy the ${what}; select it and copy it by hand.`;
  }

  return { open, close };
}

function decisionView(d, copy) {
  const idRow = (label, value, what) =>
    field(label, value ? h('span', { class: 'id-line' }, h('code', { class: 'id', dataset: { field: what.replace(' ', '-') } }, value), copyButton(value, what, copy)) : h('span', { class: 'muted' }, 'none (no receipt)'));
  return [
    h(
      'dl',
      { class: 'fields' },
      idRow('Request id', d.request_id, 'request id'),
      idRow('Receipt id', d.receipt_id, 'receipt id'),
      field('QA status', statusBadge(d.decision)),
      field('Allowed', d.allowed ? 'yes' : 'no (blocked)'),
      field('audit_ok', d.audit_ok ? 'yes' : 'no'),
      field('Stage', d.stage),
      field('Mode', modeBadge(d.mode)),
      field('Policy', h('span', {}, h('code', {}, `${d.policy.pack}@${d.policy.version}`), h('br'), h('small', { class: 'mono hash' }, d.policy.hash))),
      field('Checks run', d.checks.length ? d.checks.join(', ') : h('span', { class: 'muted' }, 'none (off mode)')),
    ),
    d.error ? errorBlock(d.error) : null,
    findings('Violations', d.violations),
    findings('Warnings', d.warnings),
    d.required_edits.length ? h('section', {}, h('h3', {}, `Required edits (${d.required_edits.length})`), h('ul', { class: 'plain' }, d.required_edits.map((e) => h('li', {}, `Post ${e.post + 1}: ${e.action} (${e.code})`)))) : null,
    h('details', { class: 'raw' }, h('summary', {}, 'Full decision (JSON)'), h('pre', {}, JSON.stringify(d, null, 2))),
  ];
}

/** What is known without the stored decision: a decision whose audit row was never written has none to fetch. */
function summaryView(requestId, row, copy) {
  const fields = [field('Request id', h('span', { class: 'id-line' }, h('code', { class: 'id', dataset: { field: 'request-id' } }, requestId), copyButton(requestId, 'request id', copy)))];
  if (row) {
    fields.push(
      field('QA status', statusBadge(row.decision)),
      field('audit_ok', row.audit_ok ? 'yes' : 'no (no audit row, no receipt)'),
      field('Stage', row.stage),
      field('Mode', modeBadge(row.mode)),
      field('Policy', h('code', {}, `${row.policy.pack}@${row.policy.version}`)),
    );
  }
  return [h('dl', { class: 'fields' }, fields), row?.error ? errorBlock(row.error) : null];
}

function field(label, value) {
  return h('div', { class: 'field' }, h('dt', {}, label), h('dd', {}, value));
}

function copyButton(value, what, copy) {
  return h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${what}`, onclick: () => copy(value, what) }, 'Copy');
}

function errorBlock(error) {
  return h(
    'section',
    { class: 'error-box decision-error' },
    h('h3', {}, 'Error'),
    h('p', {}, h('strong', { class: 'error-code' }, error.code), ' ', error.message),
    h('p', { class: 'error-fix' }, h('span', { class: 'label' }, 'Suggested fix: '), error.suggestedFix),
  );
}

function findings(title, list) {
  if (!list?.length) return null;
  return h(
    'section',
    {},
    h('h3', {}, `${title} (${list.length})`),
    h(
      'ul',
      { class: 'findings' },
      list.map((v) =>
        h(
          'li',
          {},
          h('code', { class: 'chip' }, v.code),
          v.severity ? h('span', { class: `severity severity-${v.severity}` }, v.severity) : null,
          v.post !== undefined ? h('span', { class: 'muted' }, ` post ${v.post + 1}`) : null,
          h('p', {}, v.message),
          v.evidence ? h('p', { class: 'muted' }, 'Evidence: ', h('code', {}, v.evidence)) : null,
          h('p', { class: 'error-fix' }, h('span', { class: 'label' }, 'Suggested fix: '), v.suggestedFix),
        ),
      ),
    ),
  );
}
