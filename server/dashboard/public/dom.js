// Small DOM helpers: elements are built with textContent only, never innerHTML,
// so nothing that comes from the API (codes, messages, workflow ids) is ever parsed as markup.

/** h('td', { class: 'x', dataset: { label: 'Stage' } }, 'text', childNode) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces every child of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** A decision status as a badge whose text is the status itself (colour is never the only signal). */
export function statusBadge(status) {
  return h('span', { class: `badge badge-${String(status).toLowerCase()}` }, status);
}

export function modeBadge(mode) {
  return h('span', { class: `mode mode-${mode}` }, mode);
}

/** Local time; the date too when it is not today. The full ISO time is in the title. */
export function timeCell(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const text = today ? date.toLocaleTimeString() : date.toLocaleString();
  return h('time', { datetime: iso, title: iso }, text);
}

/** An API error with its code, message and suggested fix, as the API gave them. */
export function showError(box, error) {
  if (!error) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const code = error.code ?? 'ERROR';
  fill(
    box,
    h('strong', { class: 'error-code' }, code),
    ' ',
    h('span', { class: 'error-message' }, error.message ?? String(error)),
    error.suggestedFix ? h('p', { class: 'error-fix' }, h('span', { class: 'label' }, 'Suggested fix: '), error.suggestedFix) : null,
  );
  box.hidden = false;
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (insecure origin or denied): fall back to a selected textarea.
  }
  const area = h('textarea', { class: 'offscreen', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  return ok;
}

export function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

export function ms(value) {
  if (value === null || value === undefined) return '—';
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}
