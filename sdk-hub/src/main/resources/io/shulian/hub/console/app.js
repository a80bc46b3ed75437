// The Shulian console: a small static app over the hub's JSON APIs. Every value from the server
// is put into the page with textContent / text nodes (never as markup), and ECharts draws on a
// canvas with its tooltips in rich-text mode (no HTML).
'use strict';

const state = { me: null, page: 'overview', pendingAction: null, review: null };
const PAGES = ['login', 'overview', 'alerts', 'actions', 'reviews', 'applications', 'scorecards'];
const LEVELS = ['city', 'district', 'town', 'village', 'province', 'unknown'];

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : 'HTTP ' + status);
    this.status = status;
    this.code = body && body.code ? body.code : 'HTTP_' + status;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && state.me) {
    headers['X-CSRF-Token'] = state.me.csrf;
  }
  const r = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await r.json();
  } catch (e) {
    data = null;
  }
  if (r.status === 401 && path !== '/console/api/login' && path !== '/console/api/session') {
    state.me = null;
    show('login');
  }
  if (!r.ok) {
    throw new ApiError(r.status, data);
  }
  return data;
}

function $(id) {
  return document.getElementById(id);
}

/** An element with properties and children; strings become text nodes. */
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') {
      e.className = v;
    } else if (k.startsWith('data-')) {
      e.setAttribute(k, String(v));
    } else if (k === 'onclick') {
      e.addEventListener('click', v);
    } else {
      e[k] = v;
    }
  }
  for (const c of children) {
    if (c !== null && c !== undefined) {
      e.append(c instanceof Node ? c : String(c));
    }
  }
  return e;
}

function setStatus(text, error) {
  const s = $('status');
  s.textContent = text || '';
  s.className = error ? 'error' : '';
}

function fail(e) {
  setStatus((e.code ? e.code + ': ' : '') + e.message, true);
}

/** Fills a table: columns [{title, value(row) -> string | Node}], one row per item. */
function table(id, columns, rows, rowProps) {
  const t = $(id);
  t.replaceChildren();
  t.append(el('thead', {}, el('tr', {}, ...columns.map(c => el('th', {}, c.title)))));
  const body = el('tbody');
  for (const r of rows) {
    body.append(el('tr', rowProps ? rowProps(r) : {}, ...columns.map(c => el('td', {}, c.value(r) ?? ''))));
  }
  if (rows.length === 0) {
    body.append(el('tr', {}, el('td', { colSpan: columns.length, class: 'empty' }, 'nothing here')));
  }
  t.append(body);
}

function may(role) {
  if (!state.me) {
    return false;
  }
  if (role === 'officer') {
    return state.me.role === 'security-officer';
  }
  return state.me.role === 'security-officer' || state.me.role === 'reviewer';
}

function show(page) {
  state.page = page;
  for (const p of PAGES) {
    $('page-' + p).hidden = p !== page;
  }
  $('top').hidden = page === 'login' || !state.me;
  for (const b of document.querySelectorAll('#nav button')) {
    if (b.dataset.page === page) {
      b.setAttribute('aria-current', 'page');
    } else {
      b.removeAttribute('aria-current');
    }
  }
  for (const e of document.querySelectorAll('.officer-only')) {
    e.hidden = !may('officer');
  }
  for (const e of document.querySelectorAll('.reviewer-only')) {
    e.hidden = !may('reviewer');
  }
  if (page !== 'login') {
    setStatus('');
    load(page).catch(fail);
  }
}

async function load(page) {
  switch (page) {
    case 'overview': return loadOverview();
    case 'alerts': return loadAlerts();
    case 'actions': return loadActions();
    case 'reviews': return loadReviews();
    case 'applications': return loadApplications();
    case 'scorecards': return loadScorecards();
    default: return undefined;
  }
}

// ---------------------------------------------------------------- log-in

async function start() {
  for (const b of document.querySelectorAll('#nav button')) {
    b.addEventListener('click', () => show(b.dataset.page));
  }
  $('login-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    $('login-error').textContent = '';
    try {
      state.me = await api('POST', '/console/api/login', { name: $('login-name').value, password: $('login-password').value });
      $('login-password').value = '';
      $('who').textContent = state.me.name + ' (' + state.me.role + ')';
      show('overview');
    } catch (e) {
      $('login-error').textContent = e.code === 'LOGIN_FAILED' ? 'The name or the password is wrong.' : e.message;
    }
  });
  $('logout').addEventListener('click', async () => {
    try {
      await api('POST', '/console/api/logout');
    } catch (e) {
      // the session is gone either way
    }
    state.me = null;
    show('login');
  });
  $('alert-state').addEventListener('change', () => loadAlerts().catch(fail));
  $('action-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const a = { kind: $('action-kind').value, target: $('action-target').value.trim(), reason: $('action-reason').value.trim() };
    state.pendingAction = a;
    $('action-confirm-text').textContent = 'Really ' + a.kind.replace('-', ' ') + ' "' + a.target + '"? This publishes a new city '
        + 'bundle that every gateway applies. Reason: ' + a.reason;
    $('action-confirm').hidden = false;
  });
  $('action-confirm-no').addEventListener('click', () => {
    state.pendingAction = null;
    $('action-confirm').hidden = true;
  });
  $('action-confirm-yes').addEventListener('click', async () => {
    const a = state.pendingAction;
    if (!a) {
      return;
    }
    state.pendingAction = null;
    $('action-confirm').hidden = true;
    try {
      const done = await api('POST', '/v1/admin/actions', a);
      setStatus('action ' + done.id + ' taken: ' + done.kind + ' ' + done.target);
      $('action-form').reset();
      await loadActions();
    } catch (e) {
      fail(e);
    }
  });
  $('scorecard-form').addEventListener('submit', ev => {
    ev.preventDefault();
    loadScorecards().catch(fail);
  });
  $('review-approve').addEventListener('click', () => decide('approve'));
  $('review-reject').addEventListener('click', () => decide('reject'));
  try {
    state.me = await api('GET', '/console/api/session');
    $('who').textContent = state.me.name + ' (' + state.me.role + ')';
    show('overview');
  } catch (e) {
    show('login');
  }
}

// ---------------------------------------------------------------- overview

function shortName(id) {
  // division/credit-code[/system]: the system code, else the credit code's tail
  const parts = String(id).split('/');
  return parts.length >= 3 && parts[2] ? parts[2] + ' · ' + parts[1].slice(-6) : parts.length >= 2 ? parts[1].slice(-8) : String(id);
}

let flowChart = null;
let volumeChart = null;

async function loadOverview() {
  const o = await api('GET', '/console/api/overview?days=14');
  $('open-alerts').textContent = String(o.openAlerts);
  $('party-count').textContent = String(o.parties.length);
  $('overview-days').textContent = String(o.days);
  $('exchange-count').textContent = String(o.perDay.reduce((n, d) => n + d.requests, 0));
  table('flow-table', [
    { title: 'From (consumer)', value: f => f.from },
    { title: 'To (provider)', value: f => f.to },
    { title: 'Requests', value: f => String(f.requests) },
    { title: 'Refused', value: f => String(f.refused) },
  ], o.flows, f => ({ 'data-flow': f.from + ' -> ' + f.to }));
  if (typeof window.echarts === 'undefined') {
    return;
  }
  const used = LEVELS.filter(l => o.parties.some(p => p.level === l));
  flowChart = flowChart || window.echarts.init($('flow-graph'));
  flowChart.setOption({
    animation: false,
    title: { text: 'Flows between departments', left: 10, top: 8, textStyle: { fontSize: 14 } },
    tooltip: { renderMode: 'richText' },
    legend: { data: used, bottom: 6 },
    series: [{
      type: 'graph', layout: 'circular', roam: true, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
      categories: used.map(l => ({ name: l })),
      label: { show: true, position: 'right', formatter: p => shortName(p.data.name) },
      data: o.parties.map(p => ({ name: p.id, category: used.indexOf(p.level), symbolSize: 18 + 6 * (LEVELS.length - LEVELS.indexOf(p.level)) })),
      links: o.flows.map(f => ({ source: f.from, target: f.to, value: f.requests, lineStyle: { width: 1 + Math.min(8, Math.log2(1 + f.requests)), curveness: 0.15 } })),
    }],
  }, true);
  volumeChart = volumeChart || window.echarts.init($('volume-chart'));
  volumeChart.setOption({
    animation: false,
    title: { text: 'Exchanges per day', left: 10, top: 8, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: o.perDay.map(d => d.day) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: o.perDay.map(d => d.requests) }],
  }, true);
}

// ---------------------------------------------------------------- alerts

async function loadAlerts() {
  const s = $('alert-state').value;
  const o = await api('GET', '/v1/admin/alerts' + (s ? '?state=' + encodeURIComponent(s) : ''));
  table('alerts-table', [
    { title: 'Id', value: a => String(a.id) },
    { title: 'Severity', value: a => el('span', { class: 'severity-' + a.severity }, a.severity) },
    { title: 'Rule', value: a => a.rule },
    { title: 'Subject', value: a => el('span', { class: 'alert-subject' }, a.subject) },
    { title: 'Summary', value: a => a.summary },
    { title: 'State', value: a => el('span', { class: 'alert-state' }, a.state + (a.changedBy ? ' by ' + a.changedBy : '')) },
    { title: 'Note', value: a => el('span', { class: 'alert-note' }, a.note ?? '') },
    { title: 'Raised', value: a => a.raisedAt },
    { title: '', value: a => alertButtons(a) },
  ], o.alerts, a => ({ 'data-alert-id': a.id }));
}

function alertButtons(a) {
  if (!may('officer') || a.state === 'closed') {
    return '';
  }
  const box = el('span');
  const move = verb => async () => {
    const note = $('alert-note-' + a.id).value.trim() || verb + 'd in the console';
    try {
      await api('POST', '/v1/admin/alerts/' + a.id + '/' + verb, { note });
      setStatus('alert ' + a.id + ' ' + (verb === 'close' ? 'closed' : 'acknowledged'));
      await loadAlerts();
    } catch (e) {
      fail(e);
    }
  };
  box.append(el('input', { id: 'alert-note-' + a.id, placeholder: 'note', maxLength: 500 }));
  if (a.state === 'open') {
    box.append(el('button', { type: 'button', class: 'ack', onclick: move('acknowledge') }, 'Acknowledge'));
  }
  box.append(el('button', { type: 'button', class: 'close secondary', onclick: move('close') }, 'Close'));
  return box;
}

// ---------------------------------------------------------------- incident actions

async function loadActions() {
  const o = await api('GET', '/v1/admin/actions');
  table('actions-table', [
    { title: 'Id', value: a => String(a.id) },
    { title: 'Kind', value: a => a.kind },
    { title: 'Target', value: a => a.target },
    { title: 'Reason', value: a => a.reason },
    { title: 'By', value: a => a.requestedBy },
    { title: 'At', value: a => a.createdAt },
    { title: 'In force', value: a => a.inForce ? 'yes (bundle ' + (a.bundleVersion ?? '–') + ')' : 'lifted by ' + (a.liftedBy ?? '') },
  ], o.actions, a => ({ 'data-action-id': a.id }));
}

// ---------------------------------------------------------------- reviews

async function loadReviews() {
  const o = await api('GET', '/v1/admin/reviews');
  $('review-detail').hidden = true;
  table('reviews-table', [
    { title: 'Id', value: s => s.id },
    { title: 'Department', value: s => s.party },
    { title: 'Action', value: s => s.action },
    { title: 'Resource', value: s => s.resource },
    { title: 'State', value: s => s.state },
    { title: 'Submitted', value: s => s.submittedAt },
    { title: '', value: s => el('button', { type: 'button', class: 'secondary', onclick: () => openReview(s.id).catch(fail) }, 'Open') },
  ], o.submissions, s => ({ 'data-review-id': s.id }));
}

async function openReview(id) {
  const d = await api('GET', '/v1/admin/reviews/' + encodeURIComponent(id));
  state.review = d;
  $('review-title').textContent = d.id + ' · ' + d.resource + ' (' + d.state + ')';
  const diff = $('review-diff');
  diff.replaceChildren(...(d.diff || []).map(c => el('li', {}, c.text || JSON.stringify(c))));
  $('review-problems').replaceChildren(...(d.problems || []).map(p => el('li', {}, (p.code || '') + ': ' + (p.message || ''))));
  const a = d.assessment;
  $('review-assessment').hidden = !a;
  if (a) {
    $('review-worst').textContent = String(a.worst);
    $('review-findings').replaceChildren(...(a.findings || []).map(f => el('li', { class: 'severity-' + f.severity },
      el('strong', {}, f.severity + ' ' + f.kind), ' ', f.objectKind + ' ' + f.object + ': ' + f.message,
      f.fix ? el('div', { class: 'fix' }, 'Fix: ' + f.fix) : null)));
  }
  $('review-detail').hidden = false;
}

async function decide(verb) {
  const d = state.review;
  if (!d) {
    return;
  }
  const body = verb === 'reject' ? { reason: $('review-reason').value.trim() || 'rejected in the console' } : undefined;
  try {
    await api('POST', '/v1/admin/reviews/' + encodeURIComponent(d.id) + '/' + verb, body);
    setStatus('submission ' + d.id + ' ' + verb + (verb === 'approve' ? 'd' : 'ed'));
    await loadReviews();
  } catch (e) {
    fail(e);
  }
}

// ---------------------------------------------------------------- applications

function scalarColumns(rows, prefer) {
  const keys = [];
  for (const k of prefer) {
    if (rows.some(r => r[k] !== undefined)) {
      keys.push(k);
    }
  }
  return keys.map(k => ({ title: k, value: r => (r[k] === undefined || r[k] === null ? '' : typeof r[k] === 'object' ? JSON.stringify(r[k]) : String(r[k])) }));
}

async function loadApplications() {
  const o = await api('GET', '/v1/admin/cases');
  const apps = o.applications || [];
  const objs = o.objections || [];
  table('applications-table', scalarColumns(apps, ['id', 'state', 'consumer', 'provider', 'resource', 'purpose', 'submittedAt', 'deadline', 'overdue']), apps);
  table('objections-table', scalarColumns(objs, ['id', 'state', 'party', 'resource', 'submittedAt', 'deadline', 'overdue']), objs);
}

// ---------------------------------------------------------------- scorecards

let scorecardChart = null;

/** This month as YYYY-MM (so far); pick a finished month for its final numbers. */
function thisMonth() {
  const d = new Date();
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
}

async function loadScorecards() {
  const input = $('scorecard-month');
  if (!input.value) {
    input.value = thisMonth();
  }
  const o = await api('GET', '/console/api/scorecards?month=' + encodeURIComponent(input.value));
  $('scorecard-zone').textContent = o.zone;
  // the table shows the cells as `shulian evaluate` writes them (0.8571, 40.000), skipping the month column
  const shown = o.columns.map((c, i) => ({ title: c.replace(/_/g, ' '), value: cells => cells[i] })).slice(1);
  table('scorecard-table', shown, o.table, cells => ({ 'data-department': cells[1] }));
  if (typeof window.echarts === 'undefined') {
    return;
  }
  const names = o.rows.map(r => (r.name ? String(r.name) : shortName(r.department)));
  scorecardChart = scorecardChart || window.echarts.init($('scorecard-chart'));
  scorecardChart.setOption({
    animation: false,
    title: { text: 'Requests per department, ' + o.month, left: 10, top: 8, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { data: ['served', 'refused', 'failed (5xx)'], bottom: 6 },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'served', type: 'bar', stack: 'requests', data: o.rows.map(r => r.served) },
      { name: 'refused', type: 'bar', stack: 'requests', data: o.rows.map(r => r.refused) },
      { name: 'failed (5xx)', type: 'bar', stack: 'requests', data: o.rows.map(r => r.failed_5xx) },
    ],
  }, true);
}

start();
