import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { useApp } from '../state.js';
import { dateTimeLabel } from '../util.jsx';
import { FormError, useSubmit } from './team.jsx';

// The event types a webhook can subscribe to (README "Outgoing webhooks"); the server refuses any other name.
const EVENT_GROUPS = [
  ['Timers', ['timer.started', 'timer.stopped', 'entry.created', 'entry.updated', 'entry.deleted']],
  ['Board', ['task.created', 'task.updated', 'task.moved', 'task.deleted', 'columns.changed']],
  ['Chat (public channels)', ['message.created', 'message.edited', 'message.deleted']],
  ['Billing', ['invoice.created', 'invoice.issued', 'invoice.paid', 'invoice.overdue', 'invoice.voided', 'invoice.deleted']],
];
const AUDIT_ENTITIES = ['team', 'member', 'project', 'project_rate', 'time_entry', 'channel', 'message', 'column', 'task',
  'client', 'billing_settings', 'invoice', 'git_integration', 'webhook', 'service_token'];
const PROVIDERS = { github: 'GitHub', gitlab: 'GitLab' };

const when = (iso) => (iso ? dateTimeLabel(iso) : '—');

/** A value the user copies (a secret, a URL): selectable text and a copy button. */
function Copyable({ value, testid }) {
  const [copied, setCopied] = useState(false);
  const copy = async (e) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch (err) {
      // No clipboard (an insecure origin, a refused permission): select the text so Ctrl+C works.
      const code = e.currentTarget.parentElement.querySelector('code');
      getSelection().selectAllChildren(code);
    }
  };
  return (
    <span class="copyable">
      <code class="mono" data-testid={testid}>{value}</code>
      <button type="button" class="link" onClick={copy} data-testid={testid + '-copy'}>{copied ? 'Copied' : 'Copy'}</button>
    </span>
  );
}

/** A secret or token the server shows this once. */
function OneTimeSecret({ label, value, onDone, testid }) {
  if (!value) return null;
  return (
    <div class="secret-once" role="status" data-testid={testid}>
      <strong>{label}</strong>
      <Copyable value={value} testid={testid + '-value'} />
      <p class="warn-text">Copy it now: you will not see it again.</p>
      <button type="button" onClick={onDone} data-testid={testid + '-done'}>I have copied it</button>
    </div>
  );
}

export function Integrations() {
  const app = useApp();
  if (!app.isAdmin) return <p class="hint">Integrations are for the team's owners and admins.</p>;
  const base = `/api/teams/${app.teamId}`;
  return (
    <div class="integrations">
      <h1>Integrations</h1>
      <Webhooks base={base} />
      <GitIntegrations base={base} />
      <ServiceTokens base={base} />
      <AuditLog base={base} />
    </div>
  );
}

function Webhooks({ base }) {
  const app = useApp();
  const [hooks, setHooks] = useState([]);
  const [url, setUrl] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState([]);
  const [secret, setSecret] = useState(null);
  const [open, setOpen] = useState(null);
  const load = async () => {
    try { setHooks(await api.get(`${base}/webhooks`)); } catch (err) { app.fail(err); }
  };
  useEffect(() => { load(); }, [base]);
  const create = useSubmit(async () => {
    const created = await api.post(`${base}/webhooks`, { url: url.trim(), events: all ? ['*'] : events });
    setSecret(created.secret);
    setUrl('');
    app.notify('Webhook added.');
    await load();
  });
  const toggle = (name) => setEvents(events.includes(name) ? events.filter((e) => e !== name) : [...events, name]);
  const setEnabled = async (h, enabled) => {
    try {
      await api.patch(`${base}/webhooks/${h.id}`, { enabled });
      app.notify(enabled ? 'Webhook enabled.' : 'Webhook disabled.');
      await load();
    } catch (err) { app.fail(err); }
  };
  const remove = async (h) => {
    if (!confirm('Delete the webhook to ' + h.url + '? Its pending deliveries are dropped.')) return;
    try {
      await api.del(`${base}/webhooks/${h.id}`);
      if (open === h.id) setOpen(null);
      app.notify('Webhook deleted.');
      await load();
    } catch (err) { app.fail(err); }
  };
  return (
    <section class="card" data-testid="webhooks">
      <h2>Webhooks</h2>
      <p class="hint">The team's events, POSTed as signed JSON to your endpoints (header <code>X-Trcr-Signature</code>).</p>
      <table class="list" data-testid="webhook-list">
        <thead><tr><th>URL</th><th>Events</th><th>State</th><th /></tr></thead>
        <tbody>
          {hooks.map((h) => (
            <tr key={h.id} data-testid="webhook-row" data-webhook-id={h.id}>
              <td class="break" data-testid="webhook-url">{h.url}</td>
              <td class="small">{h.events.includes('*') ? 'all events' : h.events.join(', ')}</td>
              <td data-testid="webhook-state">
                <span class={'tag ' + (h.enabled ? 'status-paid' : 'overdue')}>{h.enabled ? 'enabled' : 'disabled'}</span>
                {h.consecutiveFailures > 0 && <span class="hint"><br />{h.consecutiveFailures} failures in a row</span>}
                {h.disabledAt && <span class="hint"><br />since {when(h.disabledAt)}</span>}
              </td>
              <td class="actions-cell">
                <button type="button" class="link" onClick={() => setOpen(open === h.id ? null : h.id)} data-testid="webhook-deliveries">
                  {open === h.id ? 'Hide deliveries' : 'Deliveries'}</button>
                <button type="button" class="link" onClick={() => setEnabled(h, !h.enabled)} data-testid="webhook-toggle">
                  {h.enabled ? 'Disable' : 'Enable'}</button>
                <button type="button" class="link danger-text" onClick={() => remove(h)} data-testid="webhook-delete">Delete</button>
              </td>
            </tr>
          ))}
          {hooks.length === 0 && <tr><td colSpan={4} class="hint">No webhooks yet.</td></tr>}
        </tbody>
      </table>
      {open && <Deliveries key={open} base={base} hook={hooks.find((h) => h.id === open)} onRefresh={load} />}
      <OneTimeSecret label="Signing secret of the new webhook" value={secret} onDone={() => setSecret(null)} testid="webhook-secret" />
      <form class="stack" onSubmit={create.submit} data-testid="webhook-form">
        <label>Endpoint URL
          <input type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://hooks.example.com/trcr"
                 required data-testid="webhook-url-input" />
        </label>
        <label class="check"><input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)}
                                    data-testid="webhook-all-events" /> All events</label>
        {!all && (
          <div class="event-groups" data-testid="webhook-events">
            {EVENT_GROUPS.map(([group, names]) => (
              <fieldset key={group}>
                <legend>{group}</legend>
                {names.map((n) => (
                  <label class="check" key={n}>
                    <input type="checkbox" checked={events.includes(n)} onChange={() => toggle(n)} data-event={n} data-testid="webhook-event" />
                    <span class="mono">{n}</span>
                  </label>
                ))}
              </fieldset>
            ))}
          </div>
        )}
        <div><button type="submit" class="primary" disabled={create.busy || (!all && events.length === 0)} data-testid="webhook-submit">Add webhook</button></div>
        <FormError error={create.error} testid="webhook-error" />
      </form>
    </section>
  );
}

function Deliveries({ base, hook, onRefresh }) {
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const page = async (cursor) => {
    setError(null);
    try {
      const r = await api.get(`${base}/webhooks/${hook.id}/deliveries` + qs({ limit: 20, cursor }));
      setItems(cursor ? (prev) => [...prev, ...r.items] : r.items);
      setNext(r.next || null);
    } catch (err) { setError(err); }
  };
  useEffect(() => { if (hook) page(null); }, [hook && hook.id]);
  if (!hook) return null;
  return (
    <div class="deliveries" data-testid="deliveries">
      <div class="page-head">
        <h3>Deliveries to <span class="break">{hook.url}</span></h3>
        <button type="button" onClick={() => { page(null); onRefresh(); }} data-testid="deliveries-refresh">Refresh</button>
      </div>
      <table class="list">
        <thead><tr><th>Event</th><th>Status</th><th class="right">Attempts</th><th class="right">Response</th><th>Last error</th>
          <th>Created</th><th>Last attempt</th><th>Next attempt / delivered</th></tr></thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
              <td class="mono small">{d.event}</td>
              <td><span class={'tag delivery-' + d.status} data-testid="delivery-status">{d.status}</span></td>
              <td class="right mono">{d.attempts}</td>
              <td class="right mono" data-testid="delivery-code">{d.responseCode ?? '—'}</td>
              <td class="small break">{d.lastError || '—'}</td>
              <td class="small">{when(d.createdAt)}</td>
              <td class="small">{when(d.lastAttemptAt)}</td>
              <td class="small">{d.deliveredAt ? when(d.deliveredAt) : when(d.nextAttemptAt)}</td>
            </tr>
          ))}
          {items.length === 0 && <tr><td colSpan={8} class="hint">No deliveries yet.</td></tr>}
        </tbody>
      </table>
      <FormError error={error} testid="deliveries-error" />
      {next && <button type="button" onClick={() => page(next)} data-testid="deliveries-more">Next page</button>}
    </div>
  );
}

function GitIntegrations({ base }) {
  const app = useApp();
  const [list, setList] = useState([]);
  const [channels, setChannels] = useState([]);
  const [provider, setProvider] = useState('github');
  const [channelId, setChannelId] = useState('');
  const [secret, setSecret] = useState(null);
  const load = async () => {
    try { setList(await api.get(`${base}/integrations/git`)); } catch (err) { app.fail(err); }
  };
  useEffect(() => {
    load();
    api.get(`${base}/channels`).then((all) => setChannels(all.filter((c) => c.kind !== 'dm'))).catch(app.fail);
  }, [base]);
  const create = useSubmit(async () => {
    const body = { provider };
    if (channelId) body.channelId = channelId;
    const created = await api.post(`${base}/integrations/git`, body);
    setSecret({ provider: created.provider, url: created.webhookUrl, secret: created.secret });
    app.notify(PROVIDERS[created.provider] + ' integration added.');
    await load();
  });
  const remove = async (g) => {
    if (!confirm('Delete this ' + PROVIDERS[g.provider] + ' integration? Its hook URL stops working.')) return;
    try {
      await api.del(`${base}/integrations/git/${g.id}`);
      app.notify('Git integration deleted.');
      await load();
    } catch (err) { app.fail(err); }
  };
  const channelName = (id) => { const c = channels.find((x) => x.id === id); return c ? '# ' + c.name : id ? 'a channel' : '—'; };
  return (
    <section class="card" data-testid="git">
      <h2>Git</h2>
      <p class="hint">Commits that cite a task key (<code>WEB-12</code>) appear on the task; <code>fixes WEB-12</code> on the
        default branch closes it; pushes are summarised in the chosen channel.</p>
      <table class="list" data-testid="git-list">
        <thead><tr><th>Provider</th><th>Channel</th><th>Hook URL</th><th>Last delivery</th><th /></tr></thead>
        <tbody>
          {list.map((g) => (
            <tr key={g.id} data-testid="git-row" data-integration-id={g.id}>
              <td>{PROVIDERS[g.provider] || g.provider}</td>
              <td>{channelName(g.channelId)}</td>
              <td class="break"><Copyable value={g.webhookUrl} testid="git-url" /></td>
              <td class="small">{when(g.lastDeliveryAt)}</td>
              <td><button type="button" class="link danger-text" onClick={() => remove(g)} data-testid="git-delete">Delete</button></td>
            </tr>
          ))}
          {list.length === 0 && <tr><td colSpan={5} class="hint">No git integrations yet.</td></tr>}
        </tbody>
      </table>
      {secret && (
        <div class="secret-once" role="status" data-testid="git-secret">
          <strong>Hook URL</strong> <Copyable value={secret.url} testid="git-secret-url" />
          <strong>{secret.provider === 'gitlab' ? 'Secret token' : 'Secret'}</strong> <Copyable value={secret.secret} testid="git-secret-value" />
          <p class="warn-text">Copy the secret now: you will not see it again.</p>
          <button type="button" onClick={() => setSecret(null)} data-testid="git-secret-done">I have copied it</button>
        </div>
      )}
      <form class="inline wrap" onSubmit={create.submit} data-testid="git-form">
        <label>Provider
          <select value={provider} onChange={(e) => setProvider(e.currentTarget.value)} data-testid="git-provider">
            <option value="github">GitHub</option><option value="gitlab">GitLab</option>
          </select>
        </label>
        <label>Push summaries in
          <select value={channelId} onChange={(e) => setChannelId(e.currentTarget.value)} data-testid="git-channel">
            <option value="">no channel</option>
            {channels.map((c) => <option key={c.id} value={c.id}>{'# ' + c.name}</option>)}
          </select>
        </label>
        <button type="submit" class="primary" disabled={create.busy} data-testid="git-submit">Add git integration</button>
      </form>
      <FormError error={create.error} testid="git-error" />
      <details class="howto">
        <summary>How to set it up</summary>
        <p><strong>GitHub:</strong> repository → Settings → Webhooks → Add webhook. Payload URL: the hook URL; Content type:
          <code>application/json</code>; Secret: the secret shown once above; events: Pushes and Pull requests.</p>
        <p><strong>GitLab:</strong> project → Settings → Webhooks → Add new webhook. URL: the hook URL; Secret token: the
          secret shown once above; triggers: Push events and Merge request events.</p>
      </details>
    </section>
  );
}

function ServiceTokens({ base }) {
  const app = useApp();
  const [list, setList] = useState([]);
  const [name, setName] = useState('');
  const [role, setRole] = useState('member');
  const [token, setToken] = useState(null);
  const load = async () => {
    try { setList(await api.get(`${base}/service-tokens`)); } catch (err) { app.fail(err); }
  };
  useEffect(() => { load(); }, [base]);
  const create = useSubmit(async () => {
    const created = await api.post(`${base}/service-tokens`, { name: name.trim(), role });
    setToken(created.token);
    setName('');
    app.notify('Service token ' + created.name + ' created.');
    await Promise.all([load(), app.loadMembers()]);
  });
  const revoke = async (t) => {
    if (!confirm('Revoke the token of ' + t.name + '? Programs using it are cut off at once.')) return;
    try {
      await api.del(`${base}/service-tokens/${t.id}`);
      app.notify('Token of ' + t.name + ' revoked.');
      await Promise.all([load(), app.loadMembers()]);
    } catch (err) { app.fail(err); }
  };
  return (
    <section class="card" data-testid="service-tokens">
      <h2>Service tokens</h2>
      <p class="hint">Accounts for programs (a Slack relay, an exporter) on REST, GraphQL or the TCP bridge, in this team only.</p>
      <table class="list">
        <thead><tr><th>Name</th><th>Role</th><th>Created</th><th>Revoked</th><th /></tr></thead>
        <tbody>
          {list.map((t) => (
            <tr key={t.id} data-testid="token-row" data-token-id={t.id}>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td class="small">{when(t.createdAt)}</td>
              <td class="small">{t.revokedAt ? when(t.revokedAt) : '—'}</td>
              <td>{!t.revokedAt && <button type="button" class="link danger-text" onClick={() => revoke(t)} data-testid="token-revoke">Revoke</button>}</td>
            </tr>
          ))}
          {list.length === 0 && <tr><td colSpan={5} class="hint">No service tokens yet.</td></tr>}
        </tbody>
      </table>
      <OneTimeSecret label="Token" value={token} onDone={() => setToken(null)} testid="token-secret" />
      <form class="inline wrap" onSubmit={create.submit} data-testid="token-form">
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="Slack relay" aria-label="Name of the service"
               maxLength={100} required data-testid="token-name" />
        <select value={role} onChange={(e) => setRole(e.currentTarget.value)} aria-label="Role" data-testid="token-role">
          <option value="member">member</option><option value="admin">admin</option>
        </select>
        <button type="submit" class="primary" disabled={create.busy} data-testid="token-submit">Create token</button>
      </form>
      <FormError error={create.error} testid="token-error" />
    </section>
  );
}

const dayBound = (s, end) => {
  if (!s) return undefined;
  const [y, m, d] = s.split('-').map(Number);
  return (end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d)).toISOString();
};

const short = (v) => {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
};

/** {field: {before, after}} as one line per field: "field: before → after". */
function Changes({ changes }) {
  const fields = Object.entries(changes || {});
  if (fields.length === 0) return <span class="hint">—</span>;
  return (
    <ul class="changes">
      {fields.map(([field, c]) => (
        <li key={field}>
          <span class="mono">{field}</span>{': '}
          {'before' in (c || {}) && <span class="before">{short(c.before)}</span>}
          {'before' in (c || {}) && 'after' in (c || {}) && ' → '}
          {'after' in (c || {}) && <span class="after">{short(c.after)}</span>}
        </li>
      ))}
    </ul>
  );
}

function AuditLog({ base }) {
  const app = useApp();
  const [filter, setFilter] = useState({ from: '', to: '', entity: '', actorId: '' });
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const query = { from: dayBound(filter.from, false), to: dayBound(filter.to, true), entity: filter.entity || undefined,
    actorId: filter.actorId || undefined };
  const page = async (cursor) => {
    setError(null);
    try {
      const r = await api.get(`${base}/audit` + qs({ ...query, limit: 50, cursor }));
      setItems(cursor ? (prev) => [...prev, ...r.items] : r.items);
      setNext(r.next || null);
    } catch (err) { setError(err); }
  };
  useEffect(() => { page(null); }, [base, filter.from, filter.to, filter.entity, filter.actorId]);
  const download = () => api.download(`${base}/audit.csv` + qs(query), 'audit.csv').catch(setError);
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.currentTarget.value });
  return (
    <section class="card" data-testid="audit">
      <div class="page-head">
        <h2>Audit log</h2>
        <div class="inline">
          <button type="button" onClick={() => page(null)} data-testid="audit-refresh">Refresh</button>
          <button type="button" onClick={download} data-testid="audit-csv">Download CSV</button>
        </div>
      </div>
      <div class="inline wrap filters">
        <label>From <input type="date" value={filter.from} onInput={set('from')} data-testid="audit-from" /></label>
        <label>To <input type="date" value={filter.to} onInput={set('to')} data-testid="audit-to" /></label>
        <label>Entity
          <select value={filter.entity} onChange={set('entity')} data-testid="audit-entity">
            <option value="">all</option>
            {AUDIT_ENTITIES.map((e) => <option key={e} value={e}>{e}</option>)}
          </select>
        </label>
        <label>Actor
          <select value={filter.actorId} onChange={set('actorId')} data-testid="audit-actor">
            <option value="">anyone</option>
            {app.members.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
          </select>
        </label>
      </div>
      <FormError error={error} testid="audit-error" />
      <table class="list audit" data-testid="audit-table">
        <thead><tr><th>Time</th><th>Actor</th><th>Origin</th><th>Entity</th><th>Action</th><th>Changes</th></tr></thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id} data-testid="audit-row" data-entity={a.entity} data-action={a.action}>
              <td class="small nowrap" title={a.at}>{when(a.at)}</td>
              <td>{a.actorName || (a.origin === 'system' ? 'system' : '—')}</td>
              <td><span class="tag">{a.origin}</span></td>
              <td class="mono small" title={a.entityId}>{a.entity}</td>
              <td>{a.action}</td>
              <td class="small"><Changes changes={a.changes} /></td>
            </tr>
          ))}
          {items.length === 0 && <tr><td colSpan={6} class="hint">Nothing recorded for these filters.</td></tr>}
        </tbody>
      </table>
      {next && <button type="button" onClick={() => page(next)} data-testid="audit-more">Load more</button>}
    </section>
  );
}
