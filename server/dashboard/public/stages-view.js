// Stages: each stage's pin and mode, its change history, a pin form, and the kill switch
// (POST /v1/kill-switch), which asks for a confirmation and a reason before it acts.

import { ApiError, api, get } from './api.js';
import { byId, fill, h, modeBadge, showError, timeCell } from './dom.js';

export function createStagesView({ onStages, onKillSwitch }) {
  const el = {
    error: byId('stages-error'),
    body: byId('stages-body'),
    history: byId('history'),
    historyTitle: byId('history-title'),
    historyBody: byId('history-body'),
    form: byId('pin-form'),
    stage: byId('pin-stage'),
    stageList: byId('stage-names'),
    pack: byId('pin-pack'),
    version: byId('pin-version'),
    mode: byId('pin-mode'),
    pinResult: byId('pin-result'),
    pinError: byId('pin-error'),
  };
  const kill = createKillSwitch(() => load(), onKillSwitch);
  let stages = [];
  let packs = [];

  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    pin();
  });
  el.pack.addEventListener('change', () => fillVersions());
  el.stage.addEventListener('change', () => prefill());

  async function load() {
    try {
      const [list, packList] = await Promise.all([get('/v1/stages'), get('/v1/packs')]);
      stages = list.items;
      packs = packList.items;
      renderStages();
      fillPacks();
      onStages(stages.map((s) => s.stage));
      await kill.load(list.kill_switch);
      showError(el.error, null);
    } catch (error) {
      showError(el.error, error);
    }
  }

  function renderStages() {
    if (stages.length === 0) {
      fill(el.body, h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No stage is pinned yet: pin one with the form below.')));
    } else {
      fill(el.body, stages.map((s) => stageRow(s, () => showHistory(s.stage))));
    }
    fill(el.stageList, stages.map((s) => h('option', { value: s.stage })));
  }

  async function showHistory(stage) {
    el.history.hidden = false;
    el.historyTitle.textContent = `History of ${stage}`;
    fill(el.historyBody, h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'Loading…')));
    try {
      const history = await get(`/v1/stages/${encodeURIComponent(stage)}/history`);
      fill(el.historyBody, history.items.map(historyRow));
    } catch (error) {
      fill(el.historyBody, h('tr', {}, h('td', { colspan: 4 }, `${error.code}: ${error.message} — ${error.suggestedFix}`)));
    }
    el.historyTitle.focus();
  }

  function fillPacks() {
    const ids = [...new Set(packs.map((p) => p.pack))].sort();
    const chosen = el.pack.value;
    fill(el.pack, ids.map((id) => h('option', { value: id }, id)));
    if (ids.includes(chosen)) el.pack.value = chosen;
    fillVersions();
  }

  function fillVersions() {
    const chosen = el.version.value;
    const versions = packs.filter((p) => p.pack === el.pack.value).map((p) => p.version);
    fill(el.version, versions.map((v) => h('option', { value: v }, v)));
    if (versions.includes(chosen)) el.version.value = chosen;
  }

  /** Picking an existing stage starts from its current pin. */
  function prefill() {
    const current = stages.find((s) => s.stage === el.stage.value.trim());
    if (!current) return;
    el.pack.value = current.pack;
    fillVersions();
    el.version.value = current.version;
  }

  async function pin() {
    const stage = el.stage.value.trim();
    const body = { pack: el.pack.value, version: el.version.value, ...(el.mode.value ? { mode: el.mode.value } : {}) };
    showError(el.pinError, null);
    el.pinResult.textContent = '';
    try {
      const saved = await api('PUT', `/v1/stages/${encodeURIComponent(stage)}`, { body });
      el.pinResult.textContent = `Pinned ${saved.stage} to ${saved.pack}@${saved.version}, mode ${saved.mode} (effective ${saved.effective_mode}).`;
      await load();
    } catch (error) {
      showError(el.pinError, error);
    }
  }

  return { load };
}

function stageRow(s, onHistory) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, h('div', { class: 'cell' }, ...content));
  return h(
    'tr',
    { dataset: { stage: s.stage } },
    cell('Stage', h('strong', {}, s.stage)),
    cell('Pinned pack', h('code', {}, `${s.pack}@${s.version}`)),
    cell('Mode', modeBadge(s.mode)),
    cell('Effective mode', modeBadge(s.effective_mode), s.effective_mode !== s.mode ? h('small', { class: 'muted' }, ' (capped)') : null),
    cell('Updated', timeCell(s.updated_at)),
    cell('By', s.updated_by),
    cell('History', h('button', { type: 'button', class: 'secondary', onclick: onHistory, 'aria-label': `History of ${s.stage}` }, 'History')),
  );
}

function historyRow(c) {
  const target = (t) => (t ? `${t.pack}@${t.version} · ${t.mode}` : '(first pin)');
  const cell = (label, content) => h('td', { dataset: { label } }, h('div', { class: 'cell' }, content));
  return h('tr', {}, cell('When', timeCell(c.changed_at)), cell('By', c.changed_by), cell('From', target(c.from)), cell('To', target(c.to)));
}

// ---- kill switch ----------------------------------------------------------------------------

function createKillSwitch(afterChange, onState = () => {}) {
  const el = {
    state: byId('kill-state'),
    toggle: byId('kill-toggle'),
    error: byId('kill-error'),
    dialog: byId('kill-dialog'),
    form: byId('kill-form'),
    title: byId('kill-dialog-title'),
    text: byId('kill-dialog-text'),
    reason: byId('kill-reason'),
    confirm: byId('kill-confirm'),
    cancel: byId('kill-cancel'),
  };
  let engaged = false;

  el.toggle.addEventListener('click', () => ask());
  el.cancel.addEventListener('click', () => el.dialog.close('cancel'));
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!el.reason.value.trim()) {
      el.reason.setCustomValidity('Give a reason: it is recorded with your change.');
      el.reason.reportValidity();
      return;
    }
    el.dialog.close('confirm');
    send(!engaged, el.reason.value.trim());
  });
  el.reason.addEventListener('input', () => el.reason.setCustomValidity(''));

  /**
   * GET /v1/kill-switch: { engaged, sources: { api, environment }, state: { reason, changed_by, changed_at } | null, note? }.
   * A server without that route only has the stage list's kill_switch flag (set by the environment).
   */
  async function load(fromStages) {
    let body = { engaged: fromStages, state: null, sources: { api: false, environment: fromStages } };
    try {
      body = await get('/v1/kill-switch');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    engaged = Boolean(body.engaged);
    render(body);
    onState(body);
  }

  function render(body) {
    const last = body.state;
    fill(
      el.state,
      h('strong', { class: engaged ? 'kill-on' : 'kill-off' }, engaged ? 'ENGAGED — every stage runs off' : 'Released — stages run their pinned modes'),
      last ? h('span', {}, ` · last ${last.engaged ? 'thrown' : 'released'} by ${last.changed_by} `, timeCell(last.changed_at), `: “${last.reason}”`) : null,
      body.note ? h('p', { class: 'muted' }, body.note) : null,
    );
    el.toggle.textContent = engaged ? 'Release kill switch' : 'Throw kill switch';
    el.toggle.dataset.engaged = String(engaged);
  }

  function ask() {
    el.title.textContent = engaged ? 'Release the kill switch?' : 'Throw the kill switch?';
    el.text.textContent = engaged
      ? 'Every stage goes back to its pinned mode at once: enforced stages block failing content again.'
      : 'Every stage goes to off at once, on every instance: nothing is evaluated or blocked until the switch is released.';
    el.confirm.textContent = engaged ? 'Release kill switch' : 'Throw kill switch';
    el.reason.value = '';
    showError(el.error, null);
    el.dialog.showModal();
    el.reason.focus();
  }

  async function send(engage, reason) {
    el.toggle.disabled = true;
    try {
      await api('POST', '/v1/kill-switch', { body: { engaged: engage, reason } });
      await afterChange();
    } catch (error) {
      showError(el.error, error);
    } finally {
      el.toggle.disabled = false;
      el.toggle.focus();
    }
  }

  return { load };
}
