// The dashboard's entry point: sign-in, the three views behind hash routes (#live,
// #stages, #readiness), and the one event stream that feeds them.

import { api, session, setUnauthorizedHandler } from './api.js';
import { createDetailPanel } from './detail-panel.js';
import { byId, showError } from './dom.js';
import { createKillBanner } from './kill-banner.js';
import { createLiveView } from './live-view.js';
import { createReadinessView } from './readiness-view.js';
import { connectEvents } from './sse.js';
import { createStagesView } from './stages-view.js';

const VIEWS = ['live', 'stages', 'readiness'];
const CONNECTION_TEXT = { open: 'Live', reconnecting: 'Reconnecting…', refused: 'Disconnected', closed: 'Disconnected' };

const el = {
  signIn: byId('sign-in'),
  signInForm: byId('sign-in-form'),
  key: byId('api-key'),
  signInError: byId('sign-in-error'),
  nav: byId('nav'),
  session: byId('session'),
  connection: byId('connection'),
  signOut: byId('sign-out'),
};

const detail = createDetailPanel();
const killBanner = createKillBanner();
const live = createLiveView({ openDetail: (id, from, row) => detail.open(id, from, row) });
const readiness = createReadinessView();
const stages = createStagesView({
  onStages: (names) => {
    live.addStages(names);
    readiness.setStages(names);
  },
  onKillSwitch: (body) => killBanner.show(body),
});
let stream = null;
let opened = false;

el.signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = el.key.value.trim();
  showError(el.signInError, null);
  try {
    // An admin-only read: an evaluator key is refused here (FORBIDDEN) rather than later, view by view.
    await api('GET', '/v1/audit?limit=1', { key });
    session.save(key);
    el.key.value = '';
    start();
  } catch (error) {
    showError(el.signInError, error);
  }
});
el.signOut.addEventListener('click', () => signOut());
setUnauthorizedHandler((error) => signOut(error));
window.addEventListener('hashchange', () => route(true));

function start() {
  el.signIn.hidden = true;
  el.nav.hidden = false;
  el.session.hidden = false;
  opened = false;
  stream = connectEvents({ onEvent, onStatus });
  // Rows do not wait for the stream: a proxy that breaks event streams must not leave the table empty.
  live.loadLatest();
  stages.load();
  killBanner.start();
  route(false);
}

function signOut(error) {
  stream?.close();
  stream = null;
  session.clear();
  detail.close();
  killBanner.stop();
  live.reset();
  readiness.hide();
  for (const view of VIEWS) byId(`${view}-view`).hidden = true;
  el.nav.hidden = true;
  el.session.hidden = true;
  el.signIn.hidden = false;
  showError(el.signInError, error ?? null);
  el.key.focus();
}

function onEvent(type, data) {
  if (type !== 'enforcement') return;
  live.ingest(JSON.parse(data));
  readiness.onDecision();
}

function onStatus(status, error) {
  el.connection.textContent = CONNECTION_TEXT[status] ?? status;
  el.connection.dataset.state = status;
  // On every reconnection: fetch what the stream may have missed meanwhile.
  if (status === 'open' && opened) live.loadLatest();
  if (status === 'open') opened = true;
  if (status === 'refused') signOut(error);
}

function route(moveFocus) {
  if (!session.key()) return;
  const view = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'live';
  for (const name of VIEWS) byId(`${name}-view`).hidden = name !== view;
  for (const link of el.nav.querySelectorAll('a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'readiness') readiness.show();
  else readiness.hide();
  // start() has just loaded the stages; a later visit reloads them.
  if (view === 'stages' && moveFocus) stages.load();
  if (moveFocus) byId(`${view}-title`).focus();
}

if (session.key()) start();
else el.key.focus();
