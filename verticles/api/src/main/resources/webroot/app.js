/*
 * trcr live timers page. REST (/api/...) for reading and managing the workspace; the event-bus bridge for starting and
 * stopping timers and for the live team stream team.{teamId}.timers. No framework: state lives in `state`, the DOM is
 * re-rendered from it, and every text from the server goes through textContent.
 */
(function () {
  'use strict';

  const TOKEN_KEY = 'trcr.token';
  const TEAM_KEY = 'trcr.team';
  const SEND_TIMEOUT_MS = 10000;
  const MANAGERS = ['owner', 'admin'];

  const state = {
    bridgeUrl: null,
    token: localStorage.getItem(TOKEN_KEY),
    user: null,
    teams: [],
    teamId: null,
    projects: [],
    /** Running entries of the current team by entry id. */
    running: new Map(),
    eb: null,
    subscribed: null,
    /** Events that arrive while the running list is being (re)loaded; applied on top of the snapshot. */
    buffered: null,
    runningLoad: 0,
    /** Server clock minus browser clock, estimated from event timestamps, so fresh timers do not tick from -1 s. */
    skewMs: 0,
  };

  const $ = (id) => document.getElementById(id);
  const el = {
    connection: $('connection'), meName: $('me-name'), logout: $('logout'), message: $('message'),
    auth: $('auth'), authTitle: $('auth-title'), authForm: $('auth-form'), authNameRow: $('auth-name-row'),
    authName: $('auth-name'), authEmail: $('auth-email'), authPassword: $('auth-password'),
    authSubmit: $('auth-submit'), authToggle: $('auth-toggle'),
    workspace: $('workspace'), teamSelect: $('team-select'), teamRole: $('team-role'), teamCreate: $('team-create'),
    teamName: $('team-name'), teamAdmin: $('team-admin'), memberAdd: $('member-add'), memberEmail: $('member-email'),
    memberRole: $('member-role'), projectCreate: $('project-create'), projectName: $('project-name'),
    projectSelect: $('project-select'), description: $('description'), start: $('start'), stop: $('stop'),
    myTimer: $('my-timer'), running: $('running'), runningEmpty: $('running-empty'), runningCount: $('running-count'),
  };

  // --- errors and messages ------------------------------------------------------------------------------------------

  class AppError extends Error {
    constructor(status, code, message) {
      super(message || code || 'Something went wrong.');
      this.status = status;
      this.code = code;
    }
  }

  /** Bridge failures carry the HTTP-like status in failureCode and the JSON error object as the message text. */
  function busError(err) {
    try {
      const parsed = JSON.parse(err.message);
      if (parsed && parsed.error) {
        return new AppError(err.failureCode, parsed.error.code, parsed.error.message);
      }
    } catch (ignored) {
      // not one of the server's error objects
    }
    return new AppError(err.failureCode, err.failureType, err.message || 'The server refused the request.');
  }

  let messageTimer = null;

  function showMessage(text, kind) {
    clearTimeout(messageTimer);
    el.message.textContent = text;
    el.message.dataset.kind = kind;
    el.message.hidden = false;
    if (kind === 'info') {
      messageTimer = setTimeout(() => { el.message.hidden = true; }, 4000);
    }
  }

  function showError(error) {
    const code = error && error.code ? ' (' + error.code + ')' : '';
    showMessage((error && error.message ? error.message : String(error)) + code, 'error');
  }

  function clearMessage() {
    clearTimeout(messageTimer);
    el.message.hidden = true;
  }

  // --- REST ---------------------------------------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = {};
    if (state.token) {
      headers.authorization = 'Bearer ' + state.token;
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new AppError(0, 'network', 'The server cannot be reached.');
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const error = data && data.error ? data.error : {};
      throw new AppError(response.status, error.code, error.message || response.statusText);
    }
    return data;
  }

  const teamPath = (suffix) => '/api/teams/' + encodeURIComponent(state.teamId) + suffix;

  // --- bridge -------------------------------------------------------------------------------------------------------

  function setConnection(status) {
    const labels = { offline: 'offline', connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };
    el.connection.dataset.state = status;
    el.connection.textContent = labels[status];
    renderTimerControls();
  }

  function connected() {
    return state.eb !== null && state.eb.state === EventBus.OPEN;
  }

  function connect() {
    disconnect();
    const eb = new EventBus(state.bridgeUrl);
    eb.defaultHeaders = { authorization: 'Bearer ' + state.token };
    eb.enableReconnect(true);
    // Handlers are dropped with the socket, so every open (first or after a reconnect) subscribes anew and reloads
    // the running list to catch what happened while the connection was down.
    eb.onopen = () => {
      if (state.eb !== eb) {
        return;
      }
      state.subscribed = null;
      setConnection('live');
      subscribe();
    };
    eb.onclose = () => {
      if (state.eb !== eb) {
        return;
      }
      state.subscribed = null;
      setConnection('reconnecting');
    };
    // Frames the client cannot route: a denied register or send comes back as {type:"err", body:"access_denied"}.
    eb.onerror = (frame) => {
      if (state.eb !== eb) {
        return;
      }
      const reason = frame && (frame.body || frame.message) ? (frame.body || frame.message) : 'error';
      showMessage('The live connection refused a request (' + reason + ').', 'error');
    };
    state.eb = eb;
    setConnection('connecting');
  }

  function disconnect() {
    const eb = state.eb;
    state.eb = null;
    state.subscribed = null;
    if (eb) {
      eb.close();
    }
    setConnection('offline');
  }

  /** Subscribes the open connection to the current team's stream (and only to it), then reloads the running list. */
  function subscribe() {
    if (!connected() || !state.teamId) {
      return;
    }
    const address = 'team.' + state.teamId + '.timers';
    if (state.subscribed && state.subscribed !== address) {
      state.eb.unregisterHandler(state.subscribed, onTimerEvent);
      state.subscribed = null;
    }
    if (!state.subscribed) {
      state.eb.registerHandler(address, onTimerEvent);
      state.subscribed = address;
    }
    loadRunning();
  }

  /** A command over the bridge; resolves with the reply body. */
  function command(address, body) {
    return new Promise((resolve, reject) => {
      if (!connected()) {
        reject(new AppError(0, 'offline', 'The live connection is down; try again when it says live.'));
        return;
      }
      const timer = setTimeout(() => reject(new AppError(0, 'timeout', 'The server did not answer in time.')),
        SEND_TIMEOUT_MS);
      state.eb.send(address, body, {}, (err, reply) => {
        clearTimeout(timer);
        if (err) {
          reject(busError(err));
        } else {
          resolve(reply.body);
        }
      });
    });
  }

  function onTimerEvent(err, message) {
    if (err) {
      showError(busError(err));
      return;
    }
    const event = message.body;
    if (!event || event.teamId !== state.teamId) {
      return;
    }
    if (typeof event.ts === 'number') {
      state.skewMs = event.ts - Date.now();
    }
    if (state.buffered) {
      state.buffered.push(event);
      return;
    }
    applyEvent(event);
    renderRunning();
  }

  /** Applies one stream event to the running list. Idempotent, so replaying events over a snapshot is safe. */
  function applyEvent(event) {
    const entry = event.entry;
    if (!entry || !entry.id) {
      return;
    }
    switch (event.type) {
      case 'timer.started':
        // One running timer per user: a start replaces whatever that user ran before.
        for (const [id, other] of state.running) {
          if (other.userId === entry.userId && id !== entry.id) {
            state.running.delete(id);
          }
        }
        state.running.set(entry.id, entry);
        break;
      case 'timer.stopped':
      case 'entry.deleted':
        state.running.delete(entry.id);
        break;
      case 'entry.updated':
        if (state.running.has(entry.id)) {
          if (entry.stoppedAt) {
            state.running.delete(entry.id);
          } else {
            state.running.set(entry.id, Object.assign({}, state.running.get(entry.id), entry,
              { user: entry.user || state.running.get(entry.id).user }));
          }
        }
        break;
      default:
        break; // entry.created: manual entries are never running
    }
  }

  // --- loading ------------------------------------------------------------------------------------------------------

  async function loadRunning() {
    const teamId = state.teamId;
    const load = ++state.runningLoad;
    state.buffered = [];
    el.running.dataset.state = 'loading';
    try {
      const entries = await api('GET', teamPath('/timers/running'));
      if (load !== state.runningLoad || teamId !== state.teamId) {
        return;
      }
      state.running = new Map(entries.map((entry) => [entry.id, entry]));
      const buffered = state.buffered || [];
      state.buffered = null;
      buffered.forEach(applyEvent);
      el.running.dataset.state = 'ready';
      renderRunning();
    } catch (e) {
      if (load === state.runningLoad) {
        state.buffered = null;
        el.running.dataset.state = 'error';
        handleFailure(e);
      }
    }
  }

  async function loadMe(preferredTeamId) {
    const me = await api('GET', '/api/me');
    state.user = me.user;
    state.teams = me.teams || [];
    el.meName.textContent = me.user.name;
    el.meName.hidden = false;
    el.logout.hidden = false;
    renderTeams();
    const wanted = preferredTeamId || localStorage.getItem(TEAM_KEY);
    const team = state.teams.find((t) => t.id === wanted) || state.teams[0];
    await selectTeam(team ? team.id : null);
  }

  async function selectTeam(teamId) {
    state.teamId = teamId;
    state.running = new Map();
    state.projects = [];
    el.teamSelect.value = teamId || '';
    if (teamId) {
      localStorage.setItem(TEAM_KEY, teamId);
    }
    renderTeamRole();
    renderProjects();
    renderRunning();
    if (!teamId) {
      return;
    }
    if (connected()) {
      subscribe();
    } else {
      loadRunning();
    }
    await loadProjects();
  }

  async function loadProjects(selectId) {
    const teamId = state.teamId;
    try {
      const projects = await api('GET', teamPath('/projects'));
      if (teamId !== state.teamId) {
        return;
      }
      state.projects = projects;
      renderProjects(selectId);
      renderRunning();
    } catch (e) {
      handleFailure(e);
    }
  }

  /** A 401 means the token is gone or expired: back to the login form. Anything else is shown. */
  function handleFailure(error) {
    if (error && error.status === 401 && state.token) {
      signOut();
      showMessage('Your session has ended; please log in again.', 'error');
    } else {
      showError(error);
    }
  }

  // --- rendering ----------------------------------------------------------------------------------------------------

  function currentTeam() {
    return state.teams.find((t) => t.id === state.teamId) || null;
  }

  function renderTeams() {
    el.teamSelect.replaceChildren();
    if (state.teams.length === 0) {
      el.teamSelect.append(new Option('No team yet: create one below', ''));
      el.teamSelect.disabled = true;
      return;
    }
    el.teamSelect.disabled = false;
    state.teams.forEach((t) => el.teamSelect.append(new Option(t.name, t.id)));
  }

  function renderTeamRole() {
    const team = currentTeam();
    el.teamRole.textContent = team ? 'Your role: ' + team.role : 'Create a team to start tracking time together.';
    el.teamAdmin.hidden = !team || !MANAGERS.includes(team.role);
  }

  function renderProjects(selectId) {
    const previous = selectId || el.projectSelect.value;
    el.projectSelect.replaceChildren();
    if (state.projects.length === 0) {
      const team = currentTeam();
      el.projectSelect.append(new Option(team && MANAGERS.includes(team.role)
        ? 'No project yet: create one' : 'No project yet', ''));
      el.projectSelect.disabled = true;
    } else {
      el.projectSelect.disabled = false;
      state.projects.forEach((p) => el.projectSelect.append(new Option(p.name, p.id)));
      if (state.projects.some((p) => p.id === previous)) {
        el.projectSelect.value = previous;
      }
    }
    renderTimerControls();
  }

  function projectName(id) {
    const project = state.projects.find((p) => p.id === id);
    return project ? project.name : 'a project';
  }

  function myEntry() {
    if (!state.user) {
      return null;
    }
    for (const entry of state.running.values()) {
      if (entry.userId === state.user.id) {
        return entry;
      }
    }
    return null;
  }

  function renderTimerControls() {
    const live = connected();
    el.start.disabled = !live || !state.teamId || state.projects.length === 0 || el.start.dataset.busy === 'true';
    el.stop.disabled = !live || !myEntry() || el.stop.dataset.busy === 'true';
    el.start.title = live ? '' : 'Waiting for the live connection';
    el.stop.title = el.start.title;
  }

  function renderRunning() {
    const entries = [...state.running.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    el.running.replaceChildren(...entries.map(runningItem));
    el.runningEmpty.hidden = entries.length > 0;
    el.runningCount.textContent = String(entries.length);
    renderMyTimer();
    renderTimerControls();
    tick();
  }

  function runningItem(entry) {
    const li = document.createElement('li');
    li.dataset.testid = 'running-entry';
    li.dataset.userId = entry.userId;
    li.dataset.entryId = entry.id;
    if (state.user && entry.userId === state.user.id) {
      li.classList.add('mine');
    }
    const who = document.createElement('span');
    who.className = 'who';
    who.dataset.testid = 'running-name';
    who.textContent = (entry.user && entry.user.name) || 'Someone';
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = projectName(entry.projectId) + (entry.description ? ' · ' + entry.description : '');
    const duration = document.createElement('span');
    duration.className = 'duration';
    duration.dataset.testid = 'running-duration';
    duration.dataset.startedAt = entry.startedAt;
    li.append(who, what, duration);
    return li;
  }

  function renderMyTimer() {
    const mine = myEntry();
    if (!mine) {
      el.myTimer.textContent = 'No timer running.';
      delete el.myTimer.dataset.startedAt;
      return;
    }
    el.myTimer.dataset.startedAt = mine.startedAt;
    el.myTimer.dataset.prefix = 'Running on ' + projectName(mine.projectId)
      + (mine.description ? ' · ' + mine.description : '') + ' for ';
  }

  function formatDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = (n) => String(n).padStart(2, '0');
    return pad(Math.floor(s / 3600)) + ':' + pad(Math.floor((s % 3600) / 60)) + ':' + pad(s % 60);
  }

  function elapsed(startedAt) {
    return (Date.now() + state.skewMs - Date.parse(startedAt)) / 1000;
  }

  function tick() {
    el.running.querySelectorAll('.duration').forEach((span) => {
      span.textContent = formatDuration(elapsed(span.dataset.startedAt));
    });
    if (el.myTimer.dataset.startedAt) {
      el.myTimer.textContent = el.myTimer.dataset.prefix + formatDuration(elapsed(el.myTimer.dataset.startedAt));
    }
  }

  // --- views --------------------------------------------------------------------------------------------------------

  function showAuth() {
    el.workspace.hidden = true;
    el.auth.hidden = false;
    el.meName.hidden = true;
    el.logout.hidden = true;
    el.authEmail.focus();
  }

  function setAuthMode(mode) {
    el.authForm.dataset.mode = mode;
    const signup = mode === 'signup';
    el.authTitle.textContent = signup ? 'Create an account' : 'Log in';
    el.authSubmit.textContent = signup ? 'Sign up' : 'Log in';
    el.authNameRow.hidden = !signup;
    el.authName.required = signup;
    el.authPassword.autocomplete = signup ? 'new-password' : 'current-password';
    el.authToggle.textContent = signup ? 'Have an account? Log in' : 'New here? Create an account';
  }

  async function enter() {
    el.auth.hidden = true;
    el.workspace.hidden = false;
    connect();
    try {
      await loadMe();
    } catch (e) {
      handleFailure(e);
    }
  }

  function signOut() {
    disconnect();
    localStorage.removeItem(TOKEN_KEY);
    Object.assign(state, { token: null, user: null, teams: [], teamId: null, projects: [], running: new Map() });
    state.runningLoad++;
    state.buffered = null;
    el.authPassword.value = '';
    renderTeams();
    renderProjects();
    renderRunning();
    showAuth();
  }

  // --- actions ------------------------------------------------------------------------------------------------------

  /** Runs an action with its button marked busy, showing any failure. */
  async function withBusy(button, action) {
    button.dataset.busy = 'true';
    button.disabled = true;
    try {
      clearMessage();
      await action();
    } catch (e) {
      handleFailure(e);
    } finally {
      button.dataset.busy = 'false';
      button.disabled = false;
      renderTimerControls();
    }
  }

  function onAuthSubmit(event) {
    event.preventDefault();
    const signup = el.authForm.dataset.mode === 'signup';
    withBusy(el.authSubmit, async () => {
      const body = { email: el.authEmail.value.trim(), password: el.authPassword.value };
      if (signup) {
        body.name = el.authName.value.trim();
      }
      const session = await api('POST', signup ? '/api/auth/signup' : '/api/auth/login', body);
      state.token = session.token;
      localStorage.setItem(TOKEN_KEY, session.token);
      el.authPassword.value = '';
      await enter();
    });
  }

  function onTeamCreate(event) {
    event.preventDefault();
    withBusy(el.teamCreate.querySelector('button'), async () => {
      const team = await api('POST', '/api/teams', { name: el.teamName.value.trim() });
      el.teamName.value = '';
      await loadMe(team.id);
      showMessage('Team ' + team.name + ' created.', 'info');
    });
  }

  function onMemberAdd(event) {
    event.preventDefault();
    withBusy(el.memberAdd.querySelector('button'), async () => {
      const added = await api('POST', teamPath('/members'),
        { email: el.memberEmail.value.trim(), role: el.memberRole.value });
      el.memberEmail.value = '';
      showMessage(added.user.name + ' joined as ' + added.role + '.', 'info');
    });
  }

  function onProjectCreate(event) {
    event.preventDefault();
    withBusy(el.projectCreate.querySelector('button'), async () => {
      const project = await api('POST', teamPath('/projects'), { name: el.projectName.value.trim() });
      el.projectName.value = '';
      await loadProjects(project.id);
      showMessage('Project ' + project.name + ' created.', 'info');
    });
  }

  function onStart() {
    withBusy(el.start, async () => {
      const body = { teamId: state.teamId, projectId: el.projectSelect.value };
      const description = el.description.value.trim();
      if (description) {
        body.description = description;
      }
      const entry = await command('timers.start', body);
      // The reply may beat the stream event; applying both is harmless.
      applyEvent({ type: 'timer.started', teamId: entry.teamId, entry });
      renderRunning();
    });
  }

  function onStop() {
    withBusy(el.stop, async () => {
      const entry = await command('timers.stop', { teamId: state.teamId });
      applyEvent({ type: 'timer.stopped', teamId: entry.teamId, entry });
      renderRunning();
      showMessage('Stopped after ' + formatDuration(entry.durationSeconds || 0) + '.', 'info');
    });
  }

  // --- start --------------------------------------------------------------------------------------------------------

  async function boot() {
    el.authForm.addEventListener('submit', onAuthSubmit);
    el.authToggle.addEventListener('click', () => {
      setAuthMode(el.authForm.dataset.mode === 'signup' ? 'login' : 'signup');
    });
    el.logout.addEventListener('click', () => {
      // Revokes the token on the server (its other devices and sockets too); the page signs out whatever the answer.
      api('POST', '/api/auth/logout').catch(() => {});
      signOut();
    });
    el.teamSelect.addEventListener('change', () => selectTeam(el.teamSelect.value || null));
    el.teamCreate.addEventListener('submit', onTeamCreate);
    el.memberAdd.addEventListener('submit', onMemberAdd);
    el.projectCreate.addEventListener('submit', onProjectCreate);
    el.projectSelect.addEventListener('change', renderTimerControls);
    el.start.addEventListener('click', onStart);
    el.stop.addEventListener('click', onStop);
    setInterval(tick, 1000);

    try {
      const config = await api('GET', '/config.json');
      state.bridgeUrl = config.bridgeUrl;
    } catch (e) {
      showMessage('The page cannot read /config.json: ' + e.message, 'error');
      return;
    }
    if (state.token) {
      await enter();
    } else {
      showAuth();
    }
  }

  boot();
}());
