// The Convoy operator console: rollouts, a rollout's lanes, environments and actions, read from
// the coordinator's API and kept live over server-sent events (never polled). Everything the API
// says is put on the page as text (DOM nodes, textContent), never parsed as HTML. The API token is
// asked for when the API answers 401/403, and kept only in this tab's sessionStorage.

const TOKEN_KEY = 'convoy-token';
const main = document.getElementById('main');
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token-input');
const tokenWhy = document.getElementById('token-why');
const confirmDialog = document.getElementById('confirm');

/** Closers of the current page's streams and timers, run when the route changes. */
let cleanup = [];
/** What to do once a token has been given (retry the read or the action that needed it). */
let afterToken = null;

// ---------- DOM helpers: text only ----------

/** An element with attributes (testid → data-testid, on* → listeners) and text or node children. */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'testid') e.dataset.testid = v;
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

const num = n => (n === null || n === undefined ? '?' : Math.round(n).toLocaleString('en-US'));

/** Seconds as people read them: 850 ms, 12.3 s, 4 min 3 s, 2 h 5 min. */
function seconds(s) {
  if (s === null || s === undefined) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${(Math.round(s * 10) / 10).toLocaleString('en-US')} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Replaces a node's children, skipping empty ones (replaceChildren would print "null"). */
const fill = (node, ...children) =>
  node.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));

/** A timestamptz as PostgreSQL prints it, to the second. */
const when = t => (t ? String(t).replace(/\.\d+/, '').replace(/\+00$/, ' UTC') : '—');

const ACTIVE = ['pending', 'running', 'waiting', 'paused', 'rolling_back'];

// ---------- the API ----------

class NeedsToken extends Error {}

const token = () => sessionStorage.getItem(TOKEN_KEY);

/** Calls the API with the tab's token; throws NeedsToken on 401/403, Error(message) otherwise. */
async function api(method, path, body) {
  const headers = {};
  if (token()) headers.Authorization = 'Bearer ' + token();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  if (res.status === 401 || res.status === 403) {
    if (res.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    throw new NeedsToken((data && data.error) || `the coordinator answered ${res.status}`);
  }
  if (!res.ok) {
    const e = new Error((data && data.error) || `the coordinator answered ${res.status}`);
    e.status = res.status;
    throw e;
  }
  return data;
}

/** Shows the token form saying why; {@code then} runs once a token is saved. */
function askToken(why, then) {
  tokenWhy.textContent = why;
  tokenForm.hidden = false;
  afterToken = then;
  tokenInput.focus();
}

tokenForm.addEventListener('submit', ev => {
  ev.preventDefault();
  const t = tokenInput.value.trim();
  if (!t) return;
  sessionStorage.setItem(TOKEN_KEY, t);
  tokenInput.value = '';
  tokenForm.hidden = true;
  const then = afterToken;
  afterToken = null;
  (then || route)();
});

/** A read for a page: on 401 the page asks for a token and is drawn again once it has one. */
async function read(path) {
  try {
    return await api('GET', path);
  } catch (e) {
    if (e instanceof NeedsToken) {
      askToken(`This coordinator needs a token to show rollouts: ${e.message}`, route);
    }
    throw e;
  }
}

/**
 * Runs an action (a POST); when it needs the API token, asks for it and runs it again. A refusal is
 * shown in {@code errorBox}.
 */
async function act(errorBox, fn) {
  errorBox.textContent = '';
  try {
    return await fn();
  } catch (e) {
    if (e instanceof NeedsToken) {
      askToken(
        `This action needs the API token (CONVOY_API_TOKEN): ${e.message}`,
        () => act(errorBox, fn),
      );
    } else {
      errorBox.textContent = e.message;
    }
    return null;
  }
}

/** A server-sent event stream with the token in its query (EventSource sends no headers). */
function stream(path, handlers) {
  const t = token();
  const url = t ? `${path}?access_token=${encodeURIComponent(t)}` : path;
  const es = new EventSource(url);
  for (const [name, fn] of Object.entries(handlers)) {
    es.addEventListener(name, ev => fn(JSON.parse(ev.data)));
  }
  cleanup.push(() => es.close());
  return es;
}

/** Asks the confirm dialog; resolves true on "yes". */
function confirmAction(text) {
  document.getElementById('confirm-text').textContent = text;
  return new Promise(resolve => {
    confirmDialog.addEventListener('close', () => resolve(confirmDialog.returnValue === 'yes'), {
      once: true,
    });
    confirmDialog.returnValue = '';
    confirmDialog.showModal();
  });
}

// ---------- routing ----------

function route() {
  cleanup.forEach(f => f());
  cleanup = [];
  const m = location.hash.match(/^#\/rollouts\/([A-Za-z0-9_-]{1,64})$/);
  main.replaceChildren();
  health();
  (m ? showRollout(m[1]) : showHome()).catch(e => {
    if (!(e instanceof NeedsToken)) {
      main.replaceChildren(el('p', {class: 'error', testid: 'page-error'}, e.message));
    }
  });
}

async function health() {
  const box = document.getElementById('health');
  try {
    const h = await (await fetch('/health')).json();
    box.className = h.status === 'up' ? '' : 'down';
    box.textContent =
      (h.leader ? 'leader' : 'standby') +
      `, epoch ${h.epoch}` +
      (h.problems && h.problems.length ? ` — ${h.problems.join('; ')}` : '');
  } catch (e) {
    box.className = 'down';
    box.textContent = 'the coordinator does not answer';
  }
}

// ---------- home: environments, start form, rollouts ----------

async function showHome() {
  const envs = await read('/api/environments');
  const list = await read('/api/rollouts');
  const envTable = el('table', {testid: 'environments'});
  const rows = el('tbody', {testid: 'rollouts-list'});
  main.replaceChildren(
    el('section', {}, el('h2', {}, 'Environments'), envTable),
    startForm(envs.environments.map(e => e.env)),
    el(
      'section',
      {},
      el('h2', {}, 'Rollouts'),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el('tr', {}, ['Rollout', 'Strategy', 'State', 'Started by', 'Started', 'Duration'].map(h => el('th', {}, h))),
        ),
        rows,
      ),
    ),
  );
  drawEnvironments(envTable, envs);
  let fetchedAt = performance.now();
  let rollouts = list.rollouts;
  const draw = () => drawRollouts(rows, rollouts, (performance.now() - fetchedAt) / 1000);
  draw();
  stream('/api/environments/stream', {environments: e => drawEnvironments(envTable, e)});
  stream('/api/rollouts/stream', {
    rollouts: list => {
      rollouts = list.rollouts;
      fetchedAt = performance.now();
      draw();
    },
  });
  // Running rollouts' durations count up on screen between events (display only, no requests).
  const ticker = setInterval(draw, 1000);
  cleanup.push(() => clearInterval(ticker));
}

function drawRollouts(tbody, rollouts, since) {
  tbody.replaceChildren(
    ...rollouts.map(r => {
      const active = ACTIVE.includes(r.state);
      const go = () => (location.hash = `#/rollouts/${r.id}`);
      return el(
        'tr',
        {testid: 'rollout-row', 'data-rollout-id': r.id, 'data-state': r.state, onclick: go},
        el(
          'td',
          {testid: 'rollout-target'},
          el('a', {href: `#/rollouts/${encodeURIComponent(r.id)}`, testid: 'rollout-link'}, r.target),
          ' ',
          el('code', {class: 'muted'}, r.id),
        ),
        el('td', {testid: 'rollout-strategy'}, r.strategy),
        el('td', {testid: 'rollout-state', class: `state ${r.state}`}, r.state),
        el('td', {testid: 'rollout-started-by'}, r.started_by || '—'),
        el('td', {testid: 'rollout-started-at'}, when(r.created_at)),
        el(
          'td',
          {testid: 'rollout-duration', 'data-seconds': r.duration_seconds},
          seconds(r.duration_seconds + (active ? since : 0)),
        ),
      );
    }),
  );
  if (!rollouts.length) {
    tbody.append(el('tr', {}, el('td', {colspan: 6, class: 'muted'}, 'No rollouts yet.')));
  }
}

function drawEnvironments(table, data) {
  table.replaceChildren(
    el('thead', {}, el('tr', {}, ['Environment', 'Agent', 'Heads', 'Last heard', 'Lag', 'Live versions'].map(h => el('th', {}, h)))),
    el(
      'tbody',
      {},
      data.environments.map(env => {
        const agents = env.agents.length ? env.agents : [null];
        return agents.map((a, i) =>
          el(
            'tr',
            {testid: 'env-row', 'data-env': env.env, 'data-agent': a ? a.id : null},
            el('td', {testid: 'env-name'}, i === 0 ? env.env : ''),
            a === null
              ? el('td', {colspan: 4, class: 'muted', testid: 'no-agent'}, 'no agent heard from')
              : [
                  el(
                    'td',
                    {testid: 'agent-id'},
                    a.id,
                    ' ',
                    el('span', {class: a.alive ? 'badge ok' : 'badge bad', testid: 'agent-alive', 'data-alive': a.alive}, a.alive ? 'up' : 'silent'),
                  ),
                  el(
                    'td',
                    {},
                    el('span', {testid: 'agent-heads'}, a.heads.length ? a.heads.join(', ') : 'base'),
                    a.digest_matches === false
                      ? [
                          ' ',
                          el(
                            'span',
                            {class: 'badge bad', testid: 'digest-mismatch', title: `agent ${a.digest}, coordinator ${data.digest}`},
                            'migrations differ from the coordinator’s',
                          ),
                        ]
                      : null,
                  ),
                  el('td', {testid: 'last-heard', 'data-ms': a.last_seen_ms_ago}, `${seconds(a.last_seen_ms_ago / 1000)} ago`),
                  el('td', {testid: 'agent-lag', 'data-ms': a.lag_ms}, seconds(a.lag_ms / 1000)),
                ],
            i === 0 ? el('td', {testid: 'env-versions', 'data-env': env.env}, liveVersions(env)) : el('td'),
          ),
        );
      }),
    ),
  );
}

/**
 * An environment's live versions as its agents report them (sessions by application_name or
 * version role): one badge per version, "none" when none has sessions, "not reported" when no
 * agent of it reports versions (an older agent).
 */
function liveVersions(env) {
  if (!env.versions) return el('span', {class: 'muted', testid: 'versions-unknown'}, 'not reported');
  const list = Object.entries(env.versions);
  if (!list.length) return el('span', {class: 'muted', testid: 'versions-none'}, 'none');
  return list.map(([rev, v]) =>
    el(
      'span',
      {class: 'badge version', testid: 'env-version', 'data-revision': rev, 'data-sessions': v.sessions, title: `revision ${rev}`},
      `${v.name} · ${v.sessions} ${v.sessions === 1 ? 'session' : 'sessions'}`,
    ),
  );
}

function startForm(envs) {
  const target = el('input', {testid: 'start-target', name: 'target', value: 'head', required: true});
  const strategy = el(
    'select',
    {testid: 'start-strategy', name: 'strategy'},
    el('option', {value: 'expand-first'}, 'expand-first'),
    el('option', {value: 'per-environment'}, 'per-environment'),
  );
  const gates = el('input', {
    testid: 'start-gates',
    name: 'gates',
    placeholder: envs.slice(1).map(e => `${e}=approval`).join(',') || 'prod=approval',
  });
  const contract = el('input', {
    testid: 'start-contract-gate',
    name: 'contract_gate',
    placeholder: 'approval (default), deployed, auto, soak:10m, versions-drained',
  });
  const by = el('input', {testid: 'start-by', name: 'by', placeholder: 'your name'});
  const error = el('p', {class: 'error', testid: 'start-error', role: 'alert'});
  const form = el(
    'form',
    {class: 'start', testid: 'start-form'},
    el('label', {}, 'Target (revision, head or heads)', target),
    el('label', {}, 'Strategy', strategy),
    el('label', {}, 'Gates (env=approval, env=soak:5m or env=versions-drained:30s, comma-separated)', gates),
    el('label', {}, 'Contract gate (expand-first)', contract),
    el('label', {}, 'Started by', by),
    el('button', {type: 'submit', class: 'primary', testid: 'start-submit'}, 'Start rollout'),
  );
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.textContent = '';
    const body = {target: target.value.trim() || 'head', strategy: strategy.value};
    try {
      const g = parseGates(gates.value);
      if (Object.keys(g).length) body.gates = g;
    } catch (e) {
      error.textContent = e.message;
      return;
    }
    if (contract.value.trim()) body.contract_gate = contract.value.trim();
    body.by = by.value.trim() || 'the console';
    const r = await act(error, () => api('POST', '/api/rollouts', body));
    if (r) location.hash = `#/rollouts/${r.id}`;
  });
  return el('section', {}, el('h2', {}, 'Start a rollout'), form, error);
}

/** "staging=approval, prod=soak:5m" → {staging: "approval", prod: "soak:5m"}. */
function parseGates(text) {
  const gates = {};
  for (const part of text.split(',').map(s => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      throw new Error(
        `gates: '${part}' is not env=gate; write pairs such as staging=approval,prod=approval`,
      );
    }
    gates[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return gates;
}

// ---------- a rollout's page ----------

async function showRollout(id) {
  const first = await read(`/api/rollouts/${encodeURIComponent(id)}`);
  const page = {
    id,
    head: el('div'),
    gates: el('div', {testid: 'gates'}),
    actions: el('div', {class: 'actions'}),
    actionError: el('p', {class: 'error', testid: 'action-error', role: 'alert'}),
    lanes: el('div', {class: 'lanes', testid: 'lanes'}),
    log: el('ol', {class: 'log', testid: 'event-log', 'data-order': 'newest-first'}),
    rollout: first,
  };
  fill(main, 
    el('p', {}, el('a', {href: '#/'}, '← all rollouts')),
    el('section', {}, page.head, page.gates, page.actions, page.actionError),
    el('section', {}, el('h2', {}, 'Environments'), page.lanes),
    el('section', {}, el('h2', {}, 'Event log (newest first)'), page.log),
  );
  drawRollout(page, first);
  stream(`/api/rollouts/${encodeURIComponent(id)}/stream`, {
    rollout: r => drawRollout(page, r),
    progress: p => drawProgress(page.lanes.querySelector(`[data-testid="lane"][data-env="${CSS.escape(p.env)}"]`), p),
    log: e => page.log.prepend(logItem(e)),
  });
  // An active rollout's duration counts up on screen between events (display only, no requests).
  const ticker = setInterval(() => {
    const r = page.rollout;
    const span = page.head.querySelector('[data-testid="rollout-duration"]');
    if (span && ACTIVE.includes(r.state)) {
      span.textContent = seconds(r.duration_seconds + (performance.now() - page.drawnAt) / 1000);
    }
  }, 1000);
  cleanup.push(() => clearInterval(ticker));
}

function drawRollout(page, r) {
  page.rollout = r;
  page.drawnAt = performance.now();
  const active = ACTIVE.includes(r.state);
  fill(page.head, 
    el(
      'h1',
      {},
      `Rollout ${r.id} → ${r.target} `,
      el('span', {testid: 'rollout-state', class: `state ${r.state}`}, r.state),
      r.waves > 1 ? el('small', {class: 'muted'}, ` wave ${r.wave} of ${r.waves}`) : null,
    ),
    el(
      'p',
      {class: 'muted'},
      el('span', {testid: 'rollout-strategy'}, r.strategy),
      ' · started by ',
      el('span', {testid: 'rollout-started-by'}, r.started_by || '—'),
      ' at ',
      el('span', {testid: 'rollout-started-at'}, when(r.created_at)),
      ' · ',
      el('span', {testid: 'rollout-duration'}, seconds(r.duration_seconds)),
      active ? ' so far' : '',
    ),
    el(
      'ul',
      {class: 'revisions', testid: 'rollout-message'},
      (r.revisions || []).map(v =>
        el('li', {testid: 'rollout-revision', 'data-revision': v.id}, el('code', {}, v.id), ' ', v.message || ''),
      ),
    ),
    r.error ? el('pre', {class: 'error', testid: 'rollout-error'}, r.error) : null,
  );
  // Buttons are drawn again only when what they act on changed, not at every progress report.
  const key = JSON.stringify([r.state, r.waiting_for]);
  if (key !== page.buttonsKey) {
    page.buttonsKey = key;
    page.gates.replaceChildren(...gateWaiting(page, r));
    page.actions.replaceChildren(...actions(page, r));
  }
  page.lanes.replaceChildren(...r.stages.map(s => lane(r, s)));
}

function post(page, action, query = '', body = {}) {
  return act(page.actionError, () =>
    api('POST', `/api/rollouts/${encodeURIComponent(page.id)}/${action}${query}`, {by: 'the console', ...body}),
  );
}

function gateWaiting(page, r) {
  const w = r.waiting_for;
  if (!w) return [];
  const env = w.env || '';
  const text = el(
    'span',
    {testid: 'gate-text'},
    w.message,
    w.gate ? ` (${w.kind === 'deploy' ? 'contract gate' : 'gate'} ${w.gate})` : '',
    w.soak_remaining_seconds !== undefined && w.soak_remaining_seconds !== null
      ? `, ${seconds(w.soak_remaining_seconds)} of soak left`
      : '',
    w.released_by ? `. Released by ${w.released_by}.` : '.',
  );
  const buttons = [];
  if (w.kind === 'approval') {
    buttons.push(
      el('button', {class: 'primary', testid: 'approve-button', 'data-env': env, onclick: () => post(page, 'approve', `?env=${encodeURIComponent(env)}`)}, `Approve ${env}`),
    );
  } else if (w.kind === 'deploy') {
    if (w.gate === 'approval') {
      buttons.push(el('button', {class: 'primary', testid: 'approve-button', 'data-env': '', onclick: () => post(page, 'approve')}, 'Approve the contract'));
    }
    buttons.push(el('button', {testid: 'deployed-button', onclick: () => post(page, 'deployed')}, 'The new application is deployed'));
  } else if (w.kind === 'data_loss') {
    buttons.push(
      el(
        'button',
        {
          class: 'danger',
          testid: 'allow-loss-button',
          onclick: async () => {
            if (await confirmAction(`Rolling back ${r.id} will lose data: ${w.message}. Back the data up first. Go on?`)) {
              post(page, 'approve', '', {allow_data_loss: true});
            }
          },
        },
        'Approve losing this data',
      ),
    );
  }
  return [el('div', {class: 'gate', testid: 'gate-waiting', 'data-env': env, 'data-kind': w.kind}, text, ...buttons)];
}

function actions(page, r) {
  const can = {
    pause: ['running', 'waiting'].includes(r.state),
    resume: r.state === 'paused',
    rollback: ['running', 'waiting', 'paused', 'succeeded', 'failed'].includes(r.state),
  };
  return [
    el('button', {testid: 'pause-button', disabled: !can.pause, onclick: () => post(page, 'pause')}, 'Pause'),
    el('button', {testid: 'resume-button', disabled: !can.resume, onclick: () => post(page, 'resume')}, 'Resume'),
    el(
      'button',
      {
        class: 'danger',
        testid: 'rollback-button',
        disabled: !can.rollback,
        onclick: async () => {
          const ok = await confirmAction(
            `Roll back rollout ${r.id}? Every environment it changed goes back to the revision it started from.`,
          );
          if (ok) post(page, 'rollback');
        },
      },
      'Roll back…',
    ),
  ];
}

function lane(r, stage) {
  const steps = r.steps.filter(s => s.env === stage.env);
  const box = el(
    'div',
    {class: 'lane', testid: 'lane', 'data-env': stage.env, 'data-state': stage.state},
    el(
      'h3',
      {},
      el('span', {}, stage.env),
      el('span', {class: `state ${stage.state}`, testid: 'lane-state'}, stage.state),
    ),
    stage.versions !== undefined ? el('p', {class: 'lane-versions', testid: 'lane-versions'}, 'Live versions: ', liveVersions(stage)) : null,
    r.waiting_for && r.waiting_for.kind === 'versions' && r.waiting_for.env === stage.env
      ? el('p', {class: 'lane-waiting', testid: 'lane-waiting', 'data-kind': 'versions'}, r.waiting_for.message)
      : null,
    el(
      'div',
      {class: 'phases'},
      (stage.phases || []).map(p =>
        el(
          'div',
          {class: 'phase', testid: 'phase', 'data-phase': p.phase, 'data-state': p.state},
          el('span', {class: 'name'}, p.phase),
          el('span', {testid: 'phase-state'}, p.state),
          p.seconds !== null && p.seconds !== undefined
            ? [' · ', el('span', {testid: 'phase-duration'}, seconds(p.seconds))]
            : null,
        ),
      ),
    ),
    el('div', {class: 'bar', testid: 'backfill-bar', 'data-done': 0, 'data-total': 0}, el('span')),
    el('p', {class: 'bar-text', testid: 'backfill-text'}, 'no backfill yet'),
    el(
      'ol',
      {class: 'steps'},
      steps.map(s =>
        el(
          'li',
          {testid: 'step', 'data-seq': s.seq, 'data-phase': s.phase, 'data-state': s.state, 'data-rollback': s.rollback},
          el('span', {}, `${s.rollback ? 'undo ' : ''}${s.phase === 'all' ? (r.strategy === 'expand-first' ? 'contract' : 'migrate') : s.phase} → ${s.target}`),
          el('span', {class: `state ${s.state}`}, s.state),
          el('span', {testid: 'step-duration', 'data-seconds': s.seconds}, seconds(s.seconds)),
        ),
      ),
    ),
    steps.filter(s => s.state === 'failed' || s.state === 'rejected').map(stepError),
  );
  const figures = stage.rows_done === undefined || stage.rows_done === null ? null : {...stage, state: backfillState(r, stage)};
  drawProgress(box, figures, stage);
  return box;
}

/** The state of the step that ran the stage's latest backfill. */
function backfillState(r, stage) {
  const s = r.steps.find(x => x.seq === stage.backfill_seq);
  return s ? s.state : null;
}

/** Sets a lane's backfill bar and text from progress figures (a progress event or a stage). */
function drawProgress(box, p, stage) {
  if (!box) return;
  const bar = box.querySelector('[data-testid="backfill-bar"]');
  const text = box.querySelector('[data-testid="backfill-text"]');
  if (!p) {
    const none = stage && stage.phases && stage.phases.some(x => x.phase === 'backfill' && x.state === 'none');
    text.textContent = none ? 'no backfill in this rollout' : 'no backfill yet';
    return;
  }
  const done = p.rows_done || 0;
  const total = Math.max(done, p.rows_total || 0);
  bar.dataset.done = String(done);
  bar.dataset.total = String(total);
  bar.dataset.state = p.state || '';
  bar.firstChild.style.width = `${total ? Math.min(100, (100 * done) / total) : 100}%`;
  const parts = [`${num(done)} of ${num(total)} rows`];
  if (p.rows_per_second) parts.push(`${num(p.rows_per_second)} rows/s`);
  if (p.state === 'succeeded') {
    if (p.backfill_seconds) parts.push(`took ${seconds(p.backfill_seconds)}`);
  } else if (p.eta_seconds !== null && p.eta_seconds !== undefined) {
    parts.push(`ETA ${seconds(p.eta_seconds)}`);
  }
  text.textContent = parts.join(' · ');
}

/**
 * A failed step's error in full: the agent's message as it is, and the parts it names (file,
 * operation, statement, SQLSTATE, PostgreSQL's message) picked out of it.
 */
function stepError(s) {
  const msg = s.message || '(the agent sent no message)';
  const file = msg.match(/^revision (\S+) \(([^)]*)\) failed/);
  const op = msg.match(/\n\s*operation: (.*)/);
  const stmt = msg.match(/\n\s*statement: ([\s\S]*?)\n\s*(?:PostgreSQL error|[A-Z][A-Za-z]*(?:Exception|Error):)/);
  const pg = msg.match(/PostgreSQL error (\w{5}): ([\s\S]*)$/);
  const rows = [
    ['Revision', file && file[1], 'error-revision'],
    ['File', file && file[2], 'error-file'],
    ['Operation', op && op[1], 'error-operation'],
    ['Statement', stmt && stmt[1].replace(/\n {13}/g, '\n'), 'error-statement'],
    ['SQLSTATE', pg && pg[1], 'error-sqlstate'],
    ['Message', pg && pg[2], 'error-message'],
    ['Code', s.code, 'error-code'],
  ].filter(x => x[1]);
  return el(
    'div',
    {class: 'step-error', testid: 'step-error', 'data-env': s.env, 'data-seq': s.seq},
    el('strong', {}, `Step ${s.seq} ${s.state} in ${s.env}`),
    rows.length ? el('dl', {}, rows.map(([k, v, id]) => [el('dt', {}, k), el('dd', {testid: id}, id === 'error-statement' ? el('pre', {}, v) : v)])) : null,
    el('pre', {testid: 'error-text'}, msg),
  );
}

function logItem(e) {
  return el(
    'li',
    {testid: 'event-item', 'data-type': e.type, 'data-id': e.id},
    el('span', {class: 'muted'}, when(e.at)),
    el('span', {}, e.env || ''),
    el('span', {class: 'state'}, e.type),
    el('span', {testid: 'event-message'}, e.message || ''),
  );
}

window.addEventListener('hashchange', route);
route();
