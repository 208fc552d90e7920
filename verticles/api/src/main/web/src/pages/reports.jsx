import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { useApp } from '../state.js';
import { addDays, hoursMinutes, isoDate, secondsIn, startOfDay } from '../util.jsx';

const COLORS = ['#5b4cdb', '#1a9b5a', '#d98b00', '#c4332b', '#1849a9', '#8e44ad', '#16a085', '#7f8c8d'];
const parseDay = (s) => { const [y, m, d] = s.split('-').map(Number); return new Date(y, m - 1, d); };

/** Horizontal bars drawn as SVG (attributes only, so the page's CSP needs no inline styles), numbers beside them. */
function Bars({ rows, testid }) {
  const max = Math.max(1, ...rows.map((r) => r.seconds));
  const total = rows.reduce((s, r) => s + r.seconds, 0);
  if (rows.length === 0) return <p class="hint">No time in this period.</p>;
  return (
    <table class="list bars" data-testid={testid}>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.key} data-testid="report-row">
            <td class="label">{r.label}</td>
            <td class="bar">
              <svg viewBox="0 0 100 10" preserveAspectRatio="none" width="100%" height="14" role="img" aria-label={r.label + ': ' + hoursMinutes(r.seconds)}>
                <rect x="0" y="0" width={(100 * r.seconds) / max} height="10" rx="1.5" fill={COLORS[i % COLORS.length]} />
              </svg>
            </td>
            <td class="right mono" data-testid="report-hours">{(r.seconds / 3600).toFixed(2)} h</td>
            <td class="right hint">{total ? Math.round((100 * r.seconds) / total) : 0} %</td>
          </tr>
        ))}
        <tr><td><strong>Total</strong></td><td /><td class="right mono"><strong>{(total / 3600).toFixed(2)} h</strong></td><td /></tr>
      </tbody>
    </table>
  );
}

export function Reports() {
  const app = useApp();
  const today = startOfDay();
  const [period, setPeriod] = useState({ from: isoDate(new Date(today.getFullYear(), today.getMonth(), 1)), to: isoDate(addDays(today, 1)) });
  const [entries, setEntries] = useState(null);
  useEffect(() => {
    let current = true;
    (async () => {
      try {
        const items = [];
        let cursor = null;
        do {
          const page = await api.get(`/api/teams/${app.teamId}/time-entries` + qs({
            from: parseDay(period.from).toISOString(), to: parseDay(period.to).toISOString(), limit: 200, cursor,
            userId: app.isAdmin ? undefined : app.user.id }));
          items.push(...page.items);
          cursor = page.next;
        } while (cursor && items.length < 10000);
        if (current) setEntries(items);
      } catch (err) { if (current) app.fail(err); }
    })();
    return () => { current = false; };
  }, [app.teamId, period.from, period.to]);

  const from = parseDay(period.from);
  const to = parseDay(period.to);
  const group = (keyOf, labelOf) => {
    const sums = new Map();
    (entries || []).forEach((e) => { const k = keyOf(e); sums.set(k, (sums.get(k) || 0) + secondsIn(e, from, to)); });
    return [...sums].map(([key, seconds]) => ({ key, label: labelOf(key), seconds })).sort((a, b) => b.seconds - a.seconds);
  };
  const projectName = (id) => (app.projects.find((p) => p.id === id) || { name: 'Unknown project' }).name;
  const memberName = (id) => (app.members.find((m) => m.user.id === id) || { user: { name: 'Former member' } }).user.name;
  return (
    <div class="reports">
      <div class="page-head">
        <h1>Reports</h1>
        <div class="inline wrap">
          <label>From <input type="date" value={period.from} onInput={(e) => setPeriod({ ...period, from: e.currentTarget.value })} /></label>
          <label>To (excl.) <input type="date" value={period.to} onInput={(e) => setPeriod({ ...period, to: e.currentTarget.value })} /></label>
        </div>
      </div>
      {!app.isAdmin && <p class="hint">Members see their own time; owners and admins see the whole team.</p>}
      {!entries ? <p class="hint">Loading…</p> : (
        <div class="grid2">
          <section class="card"><h2>Hours per project</h2><Bars rows={group((e) => e.projectId, projectName)} testid="report-projects" /></section>
          <section class="card"><h2>Hours per member</h2><Bars rows={group((e) => e.userId, memberName)} testid="report-members" /></section>
        </div>
      )}
    </div>
  );
}
