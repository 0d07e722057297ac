package dev.convoy.coordinator;

/**
 * The live dashboard: one static page polling the API every second. A rollout at a gate says what
 * it waits for (the deploy of the new application, a stage's approval, or a rollback's approval to
 * lose data, with what each environment would lose and a button approving it) and what releases it.
 * Reads need a token unless the coordinator runs with --public-read: when the API answers 401 the
 * page asks for one (the read-only token is enough), keeps it in this tab's sessionStorage and
 * sends it as a bearer header. The page itself holds no data and is served to anyone.
 */
final class Dashboard {
  private Dashboard() {}

  static final String HTML =
      """
      <!doctype html>
      <html><head><meta charset="utf-8"><title>Convoy</title>
      <style>
        body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin-bottom: 1.5em; }
        td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
        .bar { background: #eee; width: 160px; height: 10px; display: inline-block; }
        .bar span { background: #3a7; height: 10px; display: block; }
        .failed, .rolled_back, .rolling_back { color: #b33; } .done, .succeeded { color: #282; }
        .waiting { color: #a60; }
      </style></head>
      <body><h1>Convoy</h1><div id="health"></div>
      <form id="login" hidden><p id="why"></p>
        <input id="token" type="password" autocomplete="off" size="40"
          placeholder="CONVOY_READ_TOKEN or CONVOY_API_TOKEN"> <button>Show rollouts</button></form>
      <h2>Environments</h2><div id="envs"></div>
      <h2>Rollouts</h2><div id="rollouts"></div>
      <script>
      const esc = s => String(s ?? '').replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
      const waiting = (w, id) => !w ? '' : `<p class="waiting">${esc(w.message)}` +
        (w.gate ? `; contract gate <b>${esc(w.gate)}</b>` : '') +
        (w.soak_remaining_seconds != null ? ` (${w.soak_remaining_seconds} s of soak left)` : '') +
        `. Released by ${esc(w.released_by)}.` +
        (w.kind === 'data_loss' ? ` <button onclick="allowLoss('${esc(id)}')">` +
          `approve losing this data</button>` : '') + '</p>';
      async function allowLoss(id) {
        const token = prompt('Back the data up first. API token (CONVOY_API_TOKEN):');
        if (!token) return;
        const r = await fetch(`/api/rollouts/${encodeURIComponent(id)}/approve`, {method: 'POST',
          headers: {'Authorization': 'Bearer ' + token, 'content-type': 'application/json'},
          body: JSON.stringify({allow_data_loss: true, by: 'the console'})});
        if (!r.ok) alert((await r.json()).error);
        refresh();
      }
      const login = document.getElementById('login');
      login.onsubmit = ev => {
        ev.preventDefault();
        sessionStorage.setItem('convoy-token', document.getElementById('token').value.trim());
        document.getElementById('token').value = '';
        login.hidden = true;
        refresh();
      };
      class NeedsToken extends Error {}
      async function read(path) {
        const token = sessionStorage.getItem('convoy-token');
        const res = await fetch(path, {headers: token ? {Authorization: 'Bearer ' + token} : {}});
        if (res.status === 401 || res.status === 403) {
          document.getElementById('why').textContent = token
            ? 'The coordinator did not accept that token; enter another.'
            : 'This coordinator needs a token to show rollouts.';
          sessionStorage.removeItem('convoy-token');
          login.hidden = false;
          throw new NeedsToken();
        }
        return res.json();
      }
      async function refresh() {
        if (!login.hidden) return;
        const h = await (await fetch('/health')).json();
        document.getElementById('health').textContent =
          `leader: ${h.leader}, epoch ${h.epoch}`;
        const e = await read('/api/environments');
        document.getElementById('envs').innerHTML = '<table><tr><th>env</th><th>agents</th></tr>' +
          e.environments.map(x => `<tr><td>${esc(x.env)}</td><td>${x.agents.map(a =>
            esc(a.id) + (a.alive ? '' : ' (silent)') + ' @ ' + esc(a.heads.join(','))).join('<br>')}</td></tr>`).join('') + '</table>';
        const r = await read('/api/rollouts');
        document.getElementById('rollouts').innerHTML = r.rollouts.map(ro =>
          `<h3>${esc(ro.id)} → ${esc(ro.target)} <span class="${esc(ro.state)}">${esc(ro.state)}</span>` +
          (ro.waves > 1 ? ` <small>wave ${ro.wave} of ${ro.waves}</small>` : '') + '</h3>' +
          (ro.error ? `<p class="failed">${esc(ro.error)}</p>` : '') + waiting(ro.waiting_for, ro.id) +
          '<table><tr><th>env</th><th>state</th><th>revision</th><th>backfill</th></tr>' +
          ro.stages.map(s => {
            const pct = s.rows_total ? Math.min(100, 100 * s.rows_done / s.rows_total) : 0;
            return `<tr><td>${esc(s.env)}</td><td class="${esc(s.state)}">${esc(s.state)}</td>` +
              `<td>${esc([].concat(s.revision ?? []).join(','))}</td>` +
              `<td><span class="bar"><span style="width:${pct}%"></span></span> ${s.rows_done ?? ''}</td></tr>`;
          }).join('') + '</table>').join('');
      }
      const tick = () => refresh().catch(e => { if (!(e instanceof NeedsToken)) console.error(e); });
      tick(); setInterval(tick, 1000);
      </script></body></html>
      """;
}
