import { useState } from 'preact/hooks';
import { api, describe } from '../api.js';
import { useApp } from '../state.js';

/** A form that shows the server's validation message under itself. */
export function useSubmit(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    if (e) e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit, setError };
}

export function FormError({ error, testid = 'form-error' }) {
  if (!error) return null;
  return <p class="field-error" role="alert" data-testid={testid}>{describe(error)}{error.field ? ' — field: ' + error.field : ''}</p>;
}

export function Team() {
  const app = useApp();
  const [teamName, setTeamName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [project, setProject] = useState({ name: '', key: '', hourlyRate: '', currency: 'EUR' });

  const createTeam = useSubmit(async () => {
    const team = await api.post('/api/teams', { name: teamName.trim() });
    setTeamName('');
    await app.loadMe(team.id);
    app.notify('Team ' + team.name + ' created.');
  });
  const addMember = useSubmit(async () => {
    const added = await api.post(`/api/teams/${app.teamId}/members`, { email: email.trim(), role });
    setEmail('');
    await app.loadMembers();
    app.notify(added.user.name + ' joined as ' + added.role + '.');
  });
  const createProject = useSubmit(async () => {
    const body = { name: project.name.trim(), currency: project.currency.trim() || 'EUR' };
    if (project.key.trim()) body.key = project.key.trim();
    if (project.hourlyRate.trim()) body.hourlyRate = project.hourlyRate.trim();
    const created = await api.post(`/api/teams/${app.teamId}/projects`, body);
    setProject({ name: '', key: '', hourlyRate: '', currency: project.currency });
    await app.loadProjects();
    app.notify('Project ' + created.name + ' created.');
  });

  return (
    <div class="team-page">
      <h1>{app.team ? app.team.name : 'Your teams'}</h1>
      {app.team && <p class="hint" data-testid="team-role">Your role: {app.team.role}</p>}
      <div class="grid2">
        {app.team && (
          <section class="card">
            <h2>Members</h2>
            <ul class="plain" data-testid="members">
              {app.members.map((m) => (
                <MemberRow key={m.user.id} m={m} />
              ))}
            </ul>
            {app.isAdmin && (
              <form class="inline" onSubmit={addMember.submit} data-testid="member-add">
                <input type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} placeholder="Member email"
                       aria-label="Member email" required data-testid="member-email" />
                <select value={role} onChange={(e) => setRole(e.currentTarget.value)} aria-label="Role" data-testid="member-role">
                  <option value="member">member</option>
                  <option value="admin">admin</option>
                </select>
                <button type="submit" disabled={addMember.busy}>Add member</button>
                <FormError error={addMember.error} />
              </form>
            )}
          </section>
        )}
        {app.team && (
          <section class="card">
            <h2>Projects</h2>
            <ul class="plain" data-testid="projects">
              {app.projects.map((p) => (
                <li key={p.id}><span class="tag">{p.key}</span> <strong>{p.name}</strong>{' '}
                  <span class="hint">{p.hourlyRate ? p.hourlyRate + ' ' + p.currency + '/h' : 'no rate'}</span></li>
              ))}
              {app.projects.length === 0 && <li class="hint">No project yet.</li>}
            </ul>
            {app.isAdmin && (
              <form class="stack" onSubmit={createProject.submit} data-testid="project-create">
                <div class="inline">
                  <input value={project.name} onInput={(e) => setProject({ ...project, name: e.currentTarget.value })}
                         placeholder="New project name" aria-label="Project name" maxLength={100} required data-testid="project-name" />
                  <input value={project.key} onInput={(e) => setProject({ ...project, key: e.currentTarget.value })}
                         placeholder="Key (optional)" aria-label="Project key" class="short" data-testid="project-key" />
                </div>
                <div class="inline">
                  <input value={project.hourlyRate} onInput={(e) => setProject({ ...project, hourlyRate: e.currentTarget.value })}
                         placeholder="Hourly rate" aria-label="Hourly rate" inputMode="decimal" class="short" data-testid="project-rate" />
                  <input value={project.currency} onInput={(e) => setProject({ ...project, currency: e.currentTarget.value })}
                         aria-label="Currency" class="short" data-testid="project-currency" />
                  <button type="submit" disabled={createProject.busy} data-testid="project-submit">Create project</button>
                </div>
                <FormError error={createProject.error} />
              </form>
            )}
          </section>
        )}
        <section class="card">
          <h2>New team</h2>
          <form class="inline" onSubmit={createTeam.submit} data-testid="team-create">
            <input value={teamName} onInput={(e) => setTeamName(e.currentTarget.value)} placeholder="Team name" aria-label="Team name"
                   maxLength={100} required data-testid="team-name" />
            <button type="submit" disabled={createTeam.busy}>Create team</button>
            <FormError error={createTeam.error} />
          </form>
        </section>
      </div>
    </div>
  );
}

const ROLES = ['member', 'admin', 'owner'];

/** A member with a role select: owners and admins change roles (only owners grant or take away owner); the server's refusal shows under the row. */
function MemberRow({ m }) {
  const app = useApp();
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const change = async (e) => {
    const select = e.currentTarget;
    const role = select.value;
    setError(null);
    setBusy(true);
    try {
      const r = await api.patch(`/api/teams/${app.teamId}/members/${m.user.id}`, { role });
      if (app.user && m.user.id === app.user.id) await app.loadMe(app.teamId);
      await app.loadMembers();
      app.notify(r.user.name + ' is now ' + r.role + '.');
    } catch (err) {
      select.value = m.role;
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const ownerOnly = app.team && app.team.role !== 'owner';
  return (
    <li data-testid="member-row" data-user-id={m.user.id}>
      <div class="member-line">
      <span><strong>{m.user.name}</strong> <span class="hint">{m.user.email}</span></span>
      <select value={m.role} onChange={change} disabled={!app.isAdmin || busy || (ownerOnly && m.role === 'owner')}
              aria-label={'Role of ' + m.user.name} data-testid="member-role-select">
        {ROLES.map((r) => <option key={r} value={r} disabled={ownerOnly && r === 'owner'}>{r}</option>)}
      </select>
      </div>
      <FormError error={error} testid="member-role-error" />
    </li>
  );
}
