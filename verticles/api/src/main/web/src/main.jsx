import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, setToken, setUnauthorizedHandler, describe } from './api.js';
import { bus } from './bus.js';
import { AppContext, MANAGERS, useApp } from './state.js';
import { clock, elapsed, hms, Ticker } from './util.jsx';
import { Dashboard } from './pages/dashboard.jsx';
import { Chat } from './pages/chat.jsx';
import { Board } from './pages/board.jsx';
import { Timesheet } from './pages/timesheet.jsx';
import { Billing } from './pages/billing.jsx';
import { Integrations } from './pages/integrations.jsx';
import { Team } from './pages/team.jsx';
import { Reports } from './pages/reports.jsx';
import { Account } from './pages/account.jsx';
import { Bell } from './pages/notifications.jsx';
import './app.css';

const TOKEN_KEY = 'trcr.token';
const TEAM_KEY = 'trcr.team';

// Tests reach the bus through this (to cut the socket as a network failure would).
window.__trcr = { bus };

function useHashRoute() {
  const read = () => (location.hash.replace(/^#\/?/, '').replace(/\?.*$/, '') || 'dashboard').split('/');
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Message({ message, onClose }) {
  if (!message) return null;
  return (
    <div class={'message ' + message.kind} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="message"
         data-kind={message.kind}>
      <span>{message.text}</span>
      <button type="button" class="link" aria-label="Dismiss" onClick={onClose}>×</button>
    </div>
  );
}

function Auth({ onSession, fail }) {
  const [mode, setMode] = useState('login');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState({ name: '', email: '', password: '' });
  const [error, setError] = useState(null);
  const signup = mode === 'signup';
  const set = (k) => (e) => setFields({ ...fields, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { email: fields.email.trim(), password: fields.password };
      if (signup) body.name = fields.name.trim();
      const session = await api.post(signup ? '/api/auth/signup' : '/api/auth/login', body);
      onSession(session.token);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="auth-page">
      <section class="card narrow" data-testid="auth">
        <h1 class="brand big">trcr</h1>
        <h2>{signup ? 'Create an account' : 'Log in'}</h2>
        <form onSubmit={submit} data-testid="auth-form" data-mode={mode}>
          {signup && (
            <label>Name
              <input value={fields.name} onInput={set('name')} autocomplete="name" maxLength={100} required
                     data-testid="auth-name" />
            </label>
          )}
          <label>Email
            <input type="email" value={fields.email} onInput={set('email')} autocomplete="email" required
                   data-testid="auth-email" />
          </label>
          <label>Password
            <input type="password" value={fields.password} onInput={set('password')} required minLength={signup ? 8 : undefined}
                   autocomplete={signup ? 'new-password' : 'current-password'} data-testid="auth-password" />
          </label>
          {error && <p class="field-error" role="alert" data-testid="auth-error">{describe(error)}</p>}
          <button type="submit" class="primary" disabled={busy} data-testid="auth-submit">{signup ? 'Sign up' : 'Log in'}</button>
        </form>
        <p class="hint">
          <button type="button" class="link" data-testid="auth-toggle" onClick={() => { setMode(signup ? 'login' : 'signup'); setError(null); }}>
            {signup ? 'Have an account? Log in' : 'New here? Create an account'}
          </button>
        </p>
      </section>
    </main>
  );
}

/** Start/stop in the header, on every page. */
function TimerBar() {
  const app = useApp();
  const { projects, myTimer, connection } = app;
  const [projectId, setProjectId] = useState('');
  const [taskId, setTaskId] = useState('');
  const [tasks, setTasks] = useState([]);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const live = connection === 'live';
  const project = projects.find((p) => p.id === projectId) || projects[0];
  const pid = project ? project.id : '';

  useEffect(() => {
    let stale = false;
    setTasks([]);
    setTaskId('');
    if (!pid || !app.teamId) return undefined;
    api.get(`/api/teams/${app.teamId}/projects/${pid}/board`).then((board) => {
      if (!stale) setTasks(board.columns.flatMap((c) => c.tasks));
    }).catch(() => {});
    return () => { stale = true; };
  }, [pid, app.teamId]);

  useEffect(() => {
    const on = (e) => {
      const { projectId: p, taskId: t, description: d } = e.detail;
      setProjectId(p);
      setDescription(d || '');
      setTimeout(() => setTaskId(t || ''), 300);
    };
    addEventListener('trcr-prefill-timer', on);
    return () => removeEventListener('trcr-prefill-timer', on);
  }, []);

  async function start(e) {
    e.preventDefault();
    setBusy(true);
    try {
      const body = { teamId: app.teamId, projectId: pid };
      if (taskId) body.taskId = taskId;
      if (description.trim()) body.description = description.trim();
      const entry = await bus.send('timers.start', body);
      app.applyTimerEvent({ type: 'timer.started', teamId: entry.teamId, entry });
      setDescription('');
    } catch (err) {
      app.fail(err);
    } finally {
      setBusy(false);
    }
  }
  async function stop() {
    setBusy(true);
    try {
      const entry = await bus.send('timers.stop', { teamId: myTimer.teamId });
      app.applyTimerEvent({ type: 'timer.stopped', teamId: entry.teamId, entry });
      app.notify('Stopped after ' + hms(entry.durationSeconds) + '.', 'info');
    } catch (err) {
      app.fail(err);
    } finally {
      setBusy(false);
    }
  }
  if (myTimer) {
    const p = projects.find((x) => x.id === myTimer.projectId);
    return (
      <div class="timerbar running" data-testid="timerbar">
        <span class="dot live" aria-hidden="true" />
        <span class="what" data-testid="my-timer">
          {(p ? p.name : 'Project') + (myTimer.description ? ' · ' + myTimer.description : '')}
        </span>
        <Ticker startedAt={myTimer.startedAt} testid="my-timer-clock" />
        <button type="button" class="danger" data-testid="stop" disabled={busy || !live} onClick={stop}
                title={live ? 'Stop my timer' : 'Waiting for the live connection'}>Stop</button>
      </div>
    );
  }
  return (
    <form class="timerbar" onSubmit={start} data-testid="timerbar">
      <input class="desc" value={description} onInput={(e) => setDescription(e.currentTarget.value)} maxLength={500}
             placeholder="What are you working on?" aria-label="Description" data-testid="description" />
      <select value={pid} onChange={(e) => setProjectId(e.currentTarget.value)} aria-label="Project"
              data-testid="project-select" disabled={projects.length === 0}>
        {projects.length === 0 && <option value="">No project yet</option>}
        {projects.map((p) => <option value={p.id} key={p.id}>{p.name}</option>)}
      </select>
      <select value={taskId} onChange={(e) => setTaskId(e.currentTarget.value)} aria-label="Task (optional)"
              data-testid="task-select" class="task-select">
        <option value="">No task</option>
        {tasks.map((t) => <option value={t.id} key={t.id}>{t.key + ' ' + t.title}</option>)}
      </select>
      <span class="mono idle" data-testid="my-timer">00:00:00</span>
      <button type="submit" class="primary" data-testid="start" disabled={busy || !live || !pid}
              title={live ? 'Start a timer' : 'Waiting for the live connection'}>Start</button>
    </form>
  );
}


function Workspace({ token, onSignOut }) {
  const route = useHashRoute();
  const [me, setMe] = useState(null);
  const [teamId, setTeamId] = useState(null);
  const [projects, setProjects] = useState([]);
  const [members, setMembers] = useState([]);
  const [running, setRunning] = useState(() => new Map());
  const [runningState, setRunningState] = useState('idle');
  const [userTimer, setUserTimer] = useState(undefined);
  const [connection, setConnection] = useState(bus.status);
  const [message, setMessage] = useState(null);
  const [navOpen, setNavOpen] = useState(false);
  const messageTimer = useRef(null);
  const buffered = useRef(null);

  const notify = useCallback((text, kind = 'info') => {
    clearTimeout(messageTimer.current);
    setMessage({ text, kind });
    if (kind !== 'error') messageTimer.current = setTimeout(() => setMessage(null), 4000);
  }, []);
  const fail = useCallback((err) => notify(describe(err), 'error'), [notify]);

  const loadMe = useCallback(async (prefer) => {
    const data = await api.get('/api/me');
    setMe(data);
    const wanted = prefer || localStorage.getItem(TEAM_KEY);
    const team = data.teams.find((t) => t.id === wanted) || data.teams[0];
    setTeamId(team ? team.id : null);
    return data;
  }, []);

  useEffect(() => {
    const offStatus = bus.onStatus(setConnection);
    const offError = bus.onError(fail);
    let stop = false;
    let retry = null;
    // The bridge URL comes from the server; if it cannot be reached yet, try again every 3 s.
    const boot = async () => {
      try {
        if (!bus.eb) {
          const config = await api.get('/config.json');
          if (stop) return;
          bus.connect(config.bridgeUrl, token);
        }
        await loadMe();
      } catch (err) {
        fail(err);
        if (!stop && err.status !== 401) retry = setTimeout(boot, 3000);
      }
    };
    boot();
    const online = () => { if (bus.status !== 'live') setConnection(navigator.onLine ? 'reconnecting' : 'offline'); };
    addEventListener('online', online);
    addEventListener('offline', online);
    return () => { stop = true; clearTimeout(retry); offStatus(); offError(); bus.close(); removeEventListener('online', online); removeEventListener('offline', online); };
  }, [token]);

  // Links in notifications name the team: #/teams/{teamId}/channels/{id}, …/projects/{id}/board, …/invoices/{id}, …/timer.
  useEffect(() => {
    if (route[0] !== 'teams' || !me) return;
    const [, tid, kind, id, sub] = route;
    if (me.teams.some((t) => t.id === tid)) setTeamId(tid);
    const target = kind === 'channels' ? 'chat/' + id : kind === 'projects' && sub === 'board' ? 'board/' + id
      : kind === 'invoices' ? 'billing/' + id : 'dashboard';
    location.replace('#/' + target);
  }, [route.join('/'), me]);

  // Tokens live 12 h and the app stays open all day: refresh every hour, for REST and the bridge alike.
  useEffect(() => {
    const id = setInterval(async () => {
      try {
        const fresh = await api.post('/api/auth/refresh');
        localStorage.setItem(TOKEN_KEY, fresh.token);
        setToken(fresh.token);
        bus.setToken(fresh.token);
      } catch (err) { /* a 401 signs out; anything else is retried next hour */ }
    }, 3600 * 1000);
    return () => clearInterval(id);
  }, [token]);

  const team = me && me.teams.find((t) => t.id === teamId);
  const isAdmin = !!team && MANAGERS.includes(team.role);

  const loadProjects = useCallback(async () => {
    if (!teamId) { setProjects([]); return; }
    try { setProjects(await api.get(`/api/teams/${teamId}/projects`)); } catch (err) { fail(err); }
  }, [teamId]);
  const loadMembers = useCallback(async () => {
    if (!teamId) { setMembers([]); return; }
    try { setMembers(await api.get(`/api/teams/${teamId}/members`)); } catch (err) { fail(err); }
  }, [teamId]);

  useEffect(() => {
    if (teamId) localStorage.setItem(TEAM_KEY, teamId);
    loadProjects();
    loadMembers();
  }, [teamId]);

  // --- running timers: team.{teamId}.timers, applied idempotently over a REST snapshot ---
  const applyTimerEvent = useCallback((event) => {
    if (typeof event.ts === 'number') clock.skewMs = event.ts - Date.now();
    if (buffered.current) { buffered.current.push(event); return; }
    setRunning((prev) => applyTo(new Map(prev), event));
    window.dispatchEvent(new CustomEvent('trcr-timer-event', { detail: event }));
  }, []);

  useEffect(() => {
    if (!teamId) return undefined;
    let current = true;
    setRunning(new Map());
    const reload = async () => {
      buffered.current = [];
      setRunningState('loading');
      try {
        const list = await api.get(`/api/teams/${teamId}/timers/running`);
        if (!current) return;
        let map = new Map(list.map((e) => [e.id, e]));
        const pending = buffered.current || [];
        buffered.current = null;
        pending.forEach((e) => { map = applyTo(map, e); });
        setRunning(map);
        setRunningState('ready');
      } catch (err) {
        buffered.current = null;
        if (current) { setRunningState('error'); fail(err); }
      }
    };
    const off = bus.subscribe(`team.${teamId}.timers`, (event) => {
      if (event.teamId === teamId) applyTimerEvent(event);
    }, reload);
    return () => { current = false; off(); };
  }, [teamId]);

  // --- my own timer in any team: user.{userId}.timers ---
  const userId = me && me.user.id;
  useEffect(() => {
    if (!userId) return undefined;
    return bus.subscribe(`user.${userId}.timers`, (event) => {
      if (event.type === 'timer.started') setUserTimer(event.entry);
      else if (event.type === 'timer.stopped') setUserTimer(null);
      window.dispatchEvent(new CustomEvent('trcr-timer-event', { detail: event }));
    }, () => setUserTimer(undefined));
  }, [userId]);

  const mineInTeam = userId ? [...running.values()].find((e) => e.userId === userId) : null;
  const myTimer = userTimer === undefined ? mineInTeam || null : (userTimer && !userTimer.stoppedAt ? userTimer : null)
    || mineInTeam || null;

  // The tab title ticks with my timer.
  useEffect(() => {
    const base = 'trcr';
    const update = () => {
      document.title = myTimer ? hms(elapsed(myTimer.startedAt)) + ' · ' + (myTimer.description || 'trcr') : base;
    };
    update();
    const id = setInterval(update, 1000);
    return () => { clearInterval(id); document.title = base; };
  }, [myTimer && myTimer.id, myTimer && myTimer.startedAt]);

  const value = {
    me, user: me && me.user, teams: me ? me.teams : [], team, teamId, isAdmin, projects, members, running,
    runningState, myTimer, connection, notify, fail, loadMe, loadProjects, loadMembers, applyTimerEvent,
    selectTeam: setTeamId,
  };

  async function logout() {
    api.post('/api/auth/logout').catch(() => {});
    onSignOut();
  }

  const page = route[0];
  const nav = [['dashboard', 'Dashboard'], ['timesheet', 'Timesheet'], ['chat', 'Chat'], ['board', 'Board'], ['reports', 'Reports']];
  if (isAdmin) nav.push(['billing', 'Billing'], ['integrations', 'Integrations']);
  nav.push(['team', 'Team']);
  const labels = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', offline: 'offline' };

  return (
    <AppContext.Provider value={value}>
      <header class="top">
        <div class="row1">
          <a class="brand" href="#/">trcr</a>
          <button type="button" class="menu-toggle" aria-expanded={navOpen} onClick={() => setNavOpen(!navOpen)}>Menu</button>
          <nav class={navOpen ? 'open' : ''} aria-label="Pages">
            {nav.map(([id, label]) => (
              <a key={id} href={'#/' + id} class={page === id ? 'active' : ''} aria-current={page === id ? 'page' : undefined}
                 data-testid={'nav-' + id} onClick={() => setNavOpen(false)}>{label}</a>
            ))}
          </nav>
          <div class="right">
            <span class="pill" data-testid="connection" data-state={connection} title="Live connection">{labels[connection] || connection}</span>
            {me && <Bell />}
            {me && (
              <select value={teamId || ''} onChange={(e) => setTeamId(e.currentTarget.value)} aria-label="Team" data-testid="team-select"
                      disabled={me.teams.length === 0}>
                {me.teams.length === 0 && <option value="">No team yet</option>}
                {me.teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            )}
            {me && <a class="me" href="#/account" title="My account" data-testid="me-name">{me.user.name}</a>}
            <button type="button" class="link" data-testid="logout" onClick={logout}>Log out</button>
          </div>
        </div>
        {teamId && <TimerBar />}
      </header>
      <Message message={message} onClose={() => setMessage(null)} />
      <main class="page">
        {!me ? <p class="hint">Loading…</p>
          : !teamId && page !== 'account' ? <Team />
            : page === 'chat' ? <Chat key={teamId} channelId={route[1]} />
              : page === 'board' ? <Board key={teamId} projectId={route[1]} />
                : page === 'timesheet' ? <Timesheet key={teamId} />
                  : page === 'billing' ? <Billing key={teamId} invoiceId={route[1]} />
                    : page === 'integrations' ? <Integrations key={teamId} />
                    : page === 'team' ? <Team key={teamId} />
                      : page === 'reports' ? <Reports key={teamId} />
                        : page === 'account' ? <Account onToken={(t) => { localStorage.setItem(TOKEN_KEY, t); setToken(t); }} />
                      : <Dashboard key={teamId} />}
      </main>
    </AppContext.Provider>
  );
}

/** One stream event applied to the running map; safe to repeat. */
function applyTo(map, event) {
  const entry = event.entry;
  if (!entry || !entry.id) return map;
  switch (event.type) {
    case 'timer.started':
      for (const [id, other] of map) if (other.userId === entry.userId && id !== entry.id) map.delete(id);
      map.set(entry.id, entry);
      break;
    case 'timer.stopped':
    case 'entry.deleted':
      map.delete(entry.id);
      break;
    case 'entry.updated':
      if (map.has(entry.id)) {
        if (entry.stoppedAt) map.delete(entry.id);
        else map.set(entry.id, { ...map.get(entry.id), ...entry, user: entry.user || map.get(entry.id).user });
      }
      break;
    default:
      break;
  }
  return map;
}

function Root() {
  const [token, setTok] = useState(() => localStorage.getItem(TOKEN_KEY));
  const [notice, setNotice] = useState(null);
  setToken(token ? localStorage.getItem(TOKEN_KEY) || token : null); // the stored one may be a refreshed token
  const signOut = useCallback((why) => {
    localStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setTok(null);
    if (why) setNotice(why);
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() => signOut('Your session has ended; please log in again.'));
  }, []);
  if (!token) {
    return (
      <>
        {notice && <div class="message error" role="alert" data-testid="message">{notice}</div>}
        <Auth onSession={(t) => { localStorage.setItem(TOKEN_KEY, t); setToken(t); setNotice(null); setTok(t); location.hash = '#/'; }} />
      </>
    );
  }
  return <Workspace token={token} onSignOut={() => signOut(null)} />;
}

render(<Root />, document.getElementById('app'));
