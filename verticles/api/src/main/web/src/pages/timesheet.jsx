import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { useApp } from '../state.js';
import { addDays, dayLabel, hhmm, hms, hoursMinutes, isoDate, secondsIn, startOfWeek, useTick } from '../util.jsx';
import { FormError, useSubmit } from './team.jsx';

const emptyForm = () => ({ id: null, projectId: '', date: isoDate(new Date()), start: '09:00', stop: '10:00', description: '' });

export function Timesheet() {
  const app = useApp();
  const [week, setWeek] = useState(() => startOfWeek());
  const [entries, setEntries] = useState([]);
  const [filter, setFilter] = useState({ projectId: '', userId: app.user.id });
  const [form, setForm] = useState(emptyForm);
  const end = addDays(week, 7);
  const base = `/api/teams/${app.teamId}`;
  const query = { from: week.toISOString(), to: end.toISOString(), userId: filter.userId || undefined, projectId: filter.projectId || undefined };
  useTick(entries.some((e) => !e.stoppedAt));

  const load = async () => {
    try {
      const items = [];
      let cursor = null;
      do {
        const page = await api.get(`${base}/time-entries` + qs({ ...query, limit: 200, cursor }));
        items.push(...page.items);
        cursor = page.next;
      } while (cursor && items.length < 2000);
      setEntries(items);
    } catch (err) { app.fail(err); }
  };
  useEffect(() => {
    load();
    const on = () => load();
    addEventListener('trcr-timer-event', on);
    return () => removeEventListener('trcr-timer-event', on);
  }, [app.teamId, week.getTime(), filter.projectId, filter.userId]);

  const save = useSubmit(async () => {
    const [y, mo, d] = form.date.split('-').map(Number);
    const at = (t) => { const [h, m] = t.split(':').map(Number); return new Date(y, mo - 1, d, h, m).toISOString(); };
    const body = { projectId: form.projectId || (app.projects[0] && app.projects[0].id), startedAt: at(form.start), stoppedAt: at(form.stop),
      description: form.description.trim() || null };
    if (form.id) await api.patch(`${base}/time-entries/${form.id}`, body);
    else {
      if (!body.description) delete body.description;
      await api.post(`${base}/time-entries`, body);
    }
    app.notify(form.id ? 'Entry updated.' : 'Entry added.');
    setForm(emptyForm());
    await load();
  });

  const edit = (e) => {
    const s = new Date(e.startedAt);
    setForm({ id: e.id, projectId: e.projectId, date: isoDate(s), start: hhmm(s), stop: e.stoppedAt ? hhmm(new Date(e.stoppedAt)) : hhmm(new Date()),
      description: e.description || '' });
    save.setError(null);
  };
  const remove = async (e) => {
    if (!confirm('Delete this entry?')) return;
    try { await api.del(`${base}/time-entries/${e.id}`); await load(); app.notify('Entry deleted.'); } catch (err) { app.fail(err); }
  };
  const exportCsv = () => api.download(`${base}/time-entries.csv` + qs(query), 'time-entries.csv').catch(app.fail);

  const projectName = (id) => (app.projects.find((p) => p.id === id) || {}).name || '—';
  const days = [...Array(7)].map((_, i) => addDays(week, i));
  const total = entries.reduce((s, e) => s + secondsIn(e, week, end), 0);

  return (
    <div class="timesheet">
      <div class="page-head">
        <h1>Timesheet</h1>
        <div class="inline">
          <button type="button" onClick={() => setWeek(addDays(week, -7))} aria-label="Previous week">‹</button>
          <span data-testid="week-label">{dayLabel(week)} – {dayLabel(addDays(week, 6))}</span>
          <button type="button" onClick={() => setWeek(addDays(week, 7))} aria-label="Next week">›</button>
          <button type="button" class="link" onClick={() => setWeek(startOfWeek())}>This week</button>
        </div>
        <button type="button" onClick={exportCsv} data-testid="csv-export">Export CSV</button>
      </div>
      <div class="inline filters">
        <label>Project
          <select value={filter.projectId} onChange={(e) => setFilter({ ...filter, projectId: e.currentTarget.value })}>
            <option value="">All projects</option>
            {app.projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        {app.isAdmin && (
          <label>Member
            <select value={filter.userId} onChange={(e) => setFilter({ ...filter, userId: e.currentTarget.value })}>
              <option value="">Everyone</option>
              {app.members.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
            </select>
          </label>
        )}
        <span class="total">Week total: <strong data-testid="week-total">{hoursMinutes(total)}</strong></span>
      </div>
      <form class="card entry-form" onSubmit={save.submit} data-testid="entry-form">
        <h2>{form.id ? 'Edit entry' : 'Add time manually'}</h2>
        <div class="inline wrap">
          <select value={form.projectId || (app.projects[0] && app.projects[0].id) || ''} onChange={(e) => setForm({ ...form, projectId: e.currentTarget.value })}
                  aria-label="Project" data-testid="entry-project">
            {app.projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
          <input type="date" value={form.date} onInput={(e) => setForm({ ...form, date: e.currentTarget.value })} aria-label="Date" required data-testid="entry-date" />
          <input type="time" value={form.start} onInput={(e) => setForm({ ...form, start: e.currentTarget.value })} aria-label="Start" required data-testid="entry-start" />
          <input type="time" value={form.stop} onInput={(e) => setForm({ ...form, stop: e.currentTarget.value })} aria-label="Stop" required data-testid="entry-stop" />
          <input value={form.description} onInput={(e) => setForm({ ...form, description: e.currentTarget.value })} placeholder="Description"
                 aria-label="Description" maxLength={500} class="grow" data-testid="entry-description" />
          <button type="submit" class="primary" disabled={save.busy} data-testid="entry-save">{form.id ? 'Save' : 'Add'}</button>
          {form.id && <button type="button" class="link" onClick={() => { setForm(emptyForm()); save.setError(null); }}>Cancel</button>}
        </div>
        <FormError error={save.error} testid="entry-error" />
      </form>
      {days.map((day) => {
        const next = addDays(day, 1);
        const list = entries.filter((e) => { const s = Date.parse(e.startedAt); return s >= day.getTime() && s < next.getTime(); })
          .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
        if (list.length === 0) return null;
        return (
          <section key={day.getTime()} class="card day">
            <h2>{dayLabel(day)} <span class="hint">{hoursMinutes(list.reduce((s, e) => s + secondsIn(e, day, next), 0))}</span></h2>
            <table class="entries">
              <tbody>
                {list.map((e) => (
                  <tr key={e.id} data-testid="entry" data-entry-id={e.id}>
                    <td class="mono">{hhmm(new Date(e.startedAt))}–{e.stoppedAt ? hhmm(new Date(e.stoppedAt)) : 'now'}</td>
                    <td><strong>{projectName(e.projectId)}</strong> {e.description}
                      {e.invoiceId && <span class="tag">invoiced</span>}</td>
                    <td class="mono right">{hms(e.durationSeconds != null ? e.durationSeconds : secondsIn(e, day, next))}</td>
                    <td class="right actions">
                      {e.stoppedAt && <button type="button" class="link" onClick={() => edit(e)} data-testid="entry-edit">Edit</button>}
                      <button type="button" class="link" onClick={() => remove(e)} data-testid="entry-delete">Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
      {entries.length === 0 && <p class="hint">No time tracked this week.</p>}
    </div>
  );
}
