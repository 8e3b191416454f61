// The kill-switch banner: on every view while the switch is engaged, so that nobody reads
// "PASS" or "advisory" on the live view without knowing that nothing is being enforced.
// Its state comes from GET /v1/kill-switch: when the stages view loads, after a change made
// here, and every POLL_MS for a change made elsewhere (another admin, the environment).

import { ApiError, get } from './api.js';
import { byId, fill, h, timeCell } from './dom.js';

const POLL_MS = 15_000;

export function createKillBanner() {
  const el = byId('kill-banner');
  let timer = null;

  /** body: GET /v1/kill-switch's answer, or `{ engaged }` from the stage list on a server without that route. */
  function show(body) {
    const engaged = Boolean(body?.engaged);
    el.hidden = !engaged;
    if (!engaged) return;
    const last = body.state;
    fill(
      el,
      h('strong', {}, 'Kill switch engaged'),
      ' — every stage runs off: content is not evaluated and nothing is blocked.',
      last?.engaged ? h('span', {}, ` Thrown by ${last.changed_by} `, timeCell(last.changed_at), `: “${last.reason}”.`) : null,
      body.sources?.environment ? h('span', {}, ' Set by the environment (GATEHOUSE_KILL_SWITCH): release it there.') : null,
      ' ',
      h('a', { href: '#stages' }, 'Stages'),
    );
  }

  async function refresh() {
    try {
      show(await get('/v1/kill-switch'));
    } catch (error) {
      // A server without the route: the stages view passes the stage list's flag instead.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }

  return {
    show,
    start() {
      refresh().catch(() => {});
      timer ??= setInterval(() => refresh().catch(() => {}), POLL_MS);
    },
    stop() {
      clearInterval(timer);
      timer = null;
      el.hidden = true;
    },
  };
}
