import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { useApp } from '../state.js';
import { addDays, hoursMinutes, initials, secondsIn, startOfDay, startOfWeek, Ticker, useTick } from '../util.jsx';

/** My entries of this week, reloaded whenever one of my timers or entries changes. */
export function useMyWeek() {
  const app = useApp();
  const [entries, setEntries] = useState([]);
  useEffect(() => {
    let current = true;
    const load = async () => {
      try {
        const from = startOfWeek();
        const page = await api.get(`/api/teams/${app.teamId}/time-entries` + qs({ userId: app.user.id, from: from.toISOString(), limit: 200 }));
        if (current) setEntries(page.items);
      } catch (err) {
        if (current) app.fail(err);
      }
    };
    load();
    const on = (e) => { if (e.detail.entry && e.detail.entry.userId === app.user.id) load(); };
    addEventListener('trcr-timer-event', on);
    return () => { current = false; removeEventListener('trcr-timer-event', on); };
  }, [app.teamId, app.user.id]);
  return entries;
}

function Totals() {
  const app = useApp();
  const entries = useMyWeek();
  useTick(!!app.myTimer);
  const now = new Date();
  const today = startOfDay(now);
  const week = startOfWeek(now);
  const end = addDays(today, 1);
  const sum = (from) => entries.reduce((s, e) => s + secondsIn(e, from, end), 0);
  return (
    <div class="totals">
      <div class="stat card"><span class="label">Today</span><span class="value mono" data-testid="total-today">{hoursMinutes(sum(today))}</span></div>
      <div class="stat card"><span class="label">This week</span><span class="value mono" data-testid="total-week">{hoursMinutes(sum(week))}</span></div>
      <div class="stat card"><span class="label">Working now</span><span class="value" data-testid="running-count">{app.running.size}</span></div>
    </div>
  );
}

export function Dashboard() {
  const app = useApp();
  const entries = [...app.running.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const projectName = (id) => (app.projects.find((p) => p.id === id) || {}).name || 'a project';
  const workingIds = new Set(entries.map((e) => e.userId));
  const idle = app.members.filter((m) => !workingIds.has(m.user.id));
  return (
    <div class="dashboard">
      <h1>Hello, {app.user.name.split(' ')[0]}</h1>
      <Totals />
      <section class="card">
        <h2>Who is working on what</h2>
        <ul id="running" class="people" data-testid="running" data-state={app.runningState}>
          {entries.map((e) => (
            <li key={e.id} data-testid="running-entry" data-user-id={e.userId} data-entry-id={e.id}
                class={e.userId === app.user.id ? 'mine' : ''}>
              <span class="avatar" aria-hidden="true">{initials(e.user && e.user.name)}</span>
              <span class="who" data-testid="running-name">{(e.user && e.user.name) || 'Someone'}</span>
              <span class="what">{projectName(e.projectId) + (e.description ? ' · ' + e.description : '')}</span>
              <Ticker startedAt={e.startedAt} testid="running-duration" />
            </li>
          ))}
        </ul>
        {entries.length === 0 && <p class="hint" data-testid="running-empty">Nobody is tracking time right now.</p>}
        {idle.length > 0 && (
          <p class="hint idle-list">Not tracking: {idle.map((m) => m.user.name).join(', ')}</p>
        )}
      </section>
    </div>
  );
}
