import { useEffect, useState } from 'preact/hooks';
import { api, describe, qs } from '../api.js';
import { bus } from '../bus.js';
import { useApp } from '../state.js';
import { addDays, dateTimeLabel, isoDate, money, startOfDay } from '../util.jsx';
import { FormError, useSubmit } from './team.jsx';

const dayStart = (s) => { const [y, m, d] = s.split('-').map(Number); return new Date(y, m - 1, d).toISOString(); };

function StatusTag({ invoice }) {
  return (
    <span class="status-tags">
      <span class={'tag status-' + invoice.status} data-testid="invoice-status">{invoice.status}</span>
      {invoice.overdue && <span class="tag overdue" data-testid="invoice-overdue">overdue</span>}
    </span>
  );
}

export function Billing({ invoiceId }) {
  const app = useApp();
  const base = `/api/teams/${app.teamId}`;
  const [clients, setClients] = useState([]);
  const [unbilled, setUnbilled] = useState({});
  const [invoices, setInvoices] = useState([]);
  const [stamp, setStamp] = useState(0);
  const [ratesStamp, setRatesStamp] = useState(0);

  const loadClients = async () => {
    try {
      const list = await api.get(`${base}/clients`);
      setClients(list);
      const pairs = await Promise.all(list.map((c) => api.get(`${base}/clients/${c.id}/unbilled`).then((u) => [c.id, u]).catch(() => [c.id, null])));
      setUnbilled(Object.fromEntries(pairs));
    } catch (err) { app.fail(err); }
  };
  const loadInvoices = async () => {
    try { setInvoices((await api.get(`${base}/invoices` + qs({ limit: 50 }))).items); } catch (err) { app.fail(err); }
  };

  useEffect(() => {
    if (!app.isAdmin) return undefined;
    loadClients();
    return bus.subscribe(`team.${app.teamId}.billing`, () => { loadInvoices(); loadClients(); setStamp((s) => s + 1); }, loadInvoices);
  }, [app.teamId, app.isAdmin]);

  // The unbilled amounts tick while timers run: re-read them every few seconds then, and on every timer change.
  const anyRunning = app.running.size > 0;
  useEffect(() => {
    if (!app.isAdmin) return undefined;
    const on = () => loadClients();
    addEventListener('trcr-timer-event', on);
    const id = anyRunning ? setInterval(loadClients, 5000) : null;
    return () => { removeEventListener('trcr-timer-event', on); if (id) clearInterval(id); };
  }, [anyRunning, app.teamId, app.isAdmin]);

  if (!app.isAdmin) return <p class="hint">Billing is for the team's owners and admins.</p>;
  if (invoiceId) return <InvoiceDetail id={invoiceId} base={base} stamp={stamp} onChanged={loadInvoices} />;

  return (
    <div class="billing">
      <h1>Billing</h1>
      <div class="grid2">
        <Clients clients={clients} unbilled={unbilled} base={base} onChanged={loadClients} />
        <ProjectRates clients={clients} base={base} onRatesChanged={() => { setRatesStamp((n) => n + 1); loadClients(); }} />
      </div>
      <NewInvoice clients={clients} base={base} ratesStamp={ratesStamp} />
      <Settings base={base} />
      <section class="card">
        <h2>Invoices</h2>
        <table class="list" data-testid="invoices">
          <thead><tr><th>Number</th><th>Client</th><th>Period</th><th>Status</th><th class="right">Total</th><th class="right">Due</th></tr></thead>
          <tbody>
            {invoices.map((inv) => (
              <tr key={inv.id} data-testid="invoice-row" data-invoice-id={inv.id} class={inv.overdue ? 'overdue' : ''}>
                <td><a href={'#/billing/' + inv.id}>{inv.number || 'Draft'}</a></td>
                <td>{inv.clientName}</td>
                <td>{inv.from.slice(0, 10)} – {inv.to.slice(0, 10)}</td>
                <td><StatusTag invoice={inv} /></td>
                <td class="right mono">{money(inv.total, inv.currency)}</td>
                <td class="right">{inv.dueAt ? inv.dueAt.slice(0, 10) : '—'}</td>
              </tr>
            ))}
            {invoices.length === 0 && <tr><td colSpan={6} class="hint">No invoices yet.</td></tr>}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Clients({ clients, unbilled, base, onChanged }) {
  const app = useApp();
  const blank = { id: null, name: '', email: '', address: '', currency: 'EUR', taxRatePercent: '0', paymentTermsDays: '14' };
  const [f, setF] = useState(blank);
  const create = useSubmit(async () => {
    const body = { name: f.name.trim(), email: f.email.trim(), currency: f.currency.trim(), address: f.address.trim() || null,
      taxRatePercent: String(f.taxRatePercent).trim() || '0', paymentTermsDays: Number(f.paymentTermsDays || 14) };
    if (f.id) await api.patch(`${base}/clients/${f.id}`, body);
    else {
      if (!body.address) delete body.address;
      await api.post(`${base}/clients`, body);
    }
    setF(blank);
    app.notify(f.id ? 'Client updated.' : 'Client created.');
    await onChanged();
  });
  const edit = (c) => setF({ id: c.id, name: c.name, email: c.email, address: c.address || '', currency: c.currency,
    taxRatePercent: String(c.taxRatePercent), paymentTermsDays: String(c.paymentTermsDays) });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  return (
    <section class="card">
      <h2>Clients</h2>
      <table class="list" data-testid="clients">
        <thead><tr><th>Client</th><th class="right">Unbilled</th></tr></thead>
        <tbody>
          {clients.map((c) => {
            const u = unbilled[c.id];
            return (
              <tr key={c.id} data-testid="client-row" data-client-id={c.id}>
                <td><strong>{c.name}</strong> <button type="button" class="link" onClick={() => edit(c)} aria-label={'Edit ' + c.name}>Edit</button>
                  <br /><span class="hint">{c.email} · {c.currency} · tax {c.taxRatePercent}% · {c.paymentTermsDays} days</span></td>
                <td class="right mono" data-testid="client-unbilled">{u ? money(u.amount, u.currency) : '…'}
                  {u && u.unpricedSeconds > 0 && <span class="hint"><br />some time has no rate</span>}</td>
              </tr>
            );
          })}
          {clients.length === 0 && <tr><td colSpan={2} class="hint">No clients yet.</td></tr>}
        </tbody>
      </table>
      <form class="stack" onSubmit={create.submit} data-testid="client-form">
        <div class="inline wrap">
          <input value={f.name} onInput={set('name')} placeholder="Client name" aria-label="Client name" required data-testid="client-name" />
          <input type="email" value={f.email} onInput={set('email')} placeholder="billing@client.example" aria-label="Client email" required data-testid="client-email" />
        </div>
        <textarea rows={2} value={f.address} onInput={set('address')} placeholder="Address (optional)" aria-label="Client address" />
        <div class="inline wrap">
          <label>Currency <input value={f.currency} onInput={set('currency')} class="short" data-testid="client-currency" /></label>
          <label>Tax % <input value={f.taxRatePercent} onInput={set('taxRatePercent')} class="short" inputMode="decimal" data-testid="client-tax" /></label>
          <label>Terms (days) <input value={f.paymentTermsDays} onInput={set('paymentTermsDays')} class="short" inputMode="numeric" /></label>
          <button type="submit" disabled={create.busy} data-testid="client-submit">{f.id ? 'Save client' : 'Add client'}</button>
          {f.id && <button type="button" class="link" onClick={() => setF(blank)}>Cancel</button>}
        </div>
        <FormError error={create.error} testid="client-error" />
      </form>
    </section>
  );
}

function ProjectRates({ clients, base, onRatesChanged }) {
  const app = useApp();
  const [rates, setRates] = useState({});
  // Members' own rates: {projectId: {userId: "120.00"}}; an empty field means the project's rate applies.
  const [memberRates, setMemberRates] = useState({});
  const projectIds = app.projects.map((p) => p.id).join(',');
  useEffect(() => {
    let current = true;
    Promise.all(app.projects.map((p) => api.get(`${base}/projects/${p.id}/rates`)
      .then((list) => [p.id, Object.fromEntries(list.map((r) => [r.userId, r.hourlyRate]))]).catch(() => [p.id, {}])))
      .then((pairs) => { if (current) setMemberRates(Object.fromEntries(pairs)); });
    return () => { current = false; };
  }, [base, projectIds]);
  const save = async (p, patch) => {
    try {
      await api.patch(`/api/teams/${app.teamId}/projects/${p.id}`, patch);
      await app.loadProjects();
      onRatesChanged();
      app.notify('Project ' + p.name + ' updated.');
    } catch (err) { app.fail(err); }
  };
  return (
    <section class="card">
      <h2>Projects and rates</h2>
      <table class="list" data-testid="project-rates">
        <thead><tr><th>Project</th><th>Client</th><th>Rate / h</th></tr></thead>
        <tbody>
          {app.projects.flatMap((p) => [
            <tr key={p.id} data-testid="project-row" data-project-id={p.id}>
              <td>{p.name}</td>
              <td>
                <select value={p.clientId || ''} onChange={(e) => save(p, { clientId: e.currentTarget.value || null })} aria-label={'Client of ' + p.name}
                        data-testid="project-client">
                  <option value="">No client</option>
                  {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                </select>
              </td>
              <td>
                <form class="inline" onSubmit={(e) => { e.preventDefault(); const r = (rates[p.id] ?? p.hourlyRate ?? '').trim(); save(p, { hourlyRate: r === '' ? null : r }); }}>
                  <input value={rates[p.id] ?? p.hourlyRate ?? ''} onInput={(e) => setRates({ ...rates, [p.id]: e.currentTarget.value })}
                         class="short" inputMode="decimal" aria-label={'Hourly rate of ' + p.name} data-testid="project-rate-input" />
                  <span class="hint">{p.currency}</span>
                  <button type="submit" data-testid="project-rate-save">Set</button>
                </form>
              </td>
            </tr>,
            ...app.members.map((m) => (
              <MemberRate key={p.id + '/' + m.user.id} base={base} project={p} member={m}
                          rate={(memberRates[p.id] || {})[m.user.id] ?? null}
                          onSaved={(r) => { setMemberRates((all) => ({ ...all, [p.id]: { ...(all[p.id] || {}), [m.user.id]: r.hourlyRate } })); onRatesChanged(); }} />
            )),
          ])}
        </tbody>
      </table>
    </section>
  );
}

/** A member's own rate on a project, beside the project's: empty = the project's rate. */
function MemberRate({ base, project, member, rate, onSaved }) {
  const app = useApp();
  const [value, setValue] = useState(null);
  const save = useSubmit(async () => {
    const v = (value ?? rate ?? '').trim();
    const r = await api.put(`${base}/projects/${project.id}/rates/${member.user.id}`, { hourlyRate: v === '' ? null : v });
    setValue(null);
    onSaved(r);
    app.notify(member.user.name + (r.hourlyRate == null ? ' bills ' + project.name + ' at the project rate.' : ' bills ' + project.name + ' at ' + r.hourlyRate + ' ' + project.currency + '/h.'));
  });
  return (
    <tr class="member-rate" data-testid="member-rate-row" data-project-id={project.id} data-user-id={member.user.id}>
      <td colSpan={2} class="hint">↳ {member.user.name}</td>
      <td>
        <form class="inline" onSubmit={save.submit}>
          <input value={value ?? rate ?? ''} onInput={(e) => setValue(e.currentTarget.value)} class="short" inputMode="decimal"
                 placeholder={project.hourlyRate || 'project rate'} aria-label={'Hourly rate of ' + member.user.name + ' on ' + project.name}
                 data-testid="member-rate-input" />
          <span class="hint">{project.currency}</span>
          <button type="submit" disabled={save.busy} data-testid="member-rate-save">Set</button>
        </form>
        <FormError error={save.error} testid="member-rate-error" />
      </td>
    </tr>
  );
}

function NewInvoice({ clients, base, ratesStamp }) {
  const app = useApp();
  const today = startOfDay();
  const [f, setF] = useState({ clientId: '', from: isoDate(new Date(today.getFullYear(), today.getMonth(), 1)), to: isoDate(addDays(today, 1)), groupBy: 'project', rounding: '0' });
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const clientId = f.clientId || (clients[0] && clients[0].id) || '';
  const body = () => {
    const b = { clientId, from: dayStart(f.from), to: dayStart(f.to), groupBy: f.groupBy };
    if (f.rounding !== '0') b.rounding = { minutes: Number(f.rounding), mode: 'up' };
    return b;
  };
  // Live preview: asked again (debounced) whenever the form or the team's time changes.
  const [bump, setBump] = useState(0);
  useEffect(() => {
    const on = () => setBump((n) => n + 1);
    addEventListener('trcr-timer-event', on);
    return () => removeEventListener('trcr-timer-event', on);
  }, []);
  useEffect(() => {
    if (!clientId || !f.from || !f.to) { setPreview(null); return undefined; }
    let current = true;
    const id = setTimeout(async () => {
      try {
        const p = await api.post(`${base}/invoices/preview`, body());
        if (current) { setPreview(p); setError(null); }
      } catch (err) { if (current) { setPreview(null); setError(err); } }
    }, 250);
    return () => { current = false; clearTimeout(id); };
  }, [clientId, f.from, f.to, f.groupBy, f.rounding, bump, ratesStamp]);
  const create = useSubmit(async () => {
    const inv = await api.post(`${base}/invoices`, body());
    app.notify('Draft created.');
    location.hash = '#/billing/' + inv.id;
  });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  return (
    <section class="card" data-testid="new-invoice">
      <h2>New invoice</h2>
      <form class="inline wrap" onSubmit={create.submit}>
        <label>Client
          <select value={clientId} onChange={set('clientId')} data-testid="invoice-client">
            {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </label>
        <label>From <input type="date" value={f.from} onInput={set('from')} data-testid="invoice-from" /></label>
        <label>To (excl.) <input type="date" value={f.to} onInput={set('to')} data-testid="invoice-to" /></label>
        <label>Lines
          <select value={f.groupBy} onChange={set('groupBy')} data-testid="invoice-group">
            <option value="project">per project</option><option value="task">per task</option><option value="entry">per entry</option>
          </select>
        </label>
        <label>Rounding
          <select value={f.rounding} onChange={set('rounding')}>
            <option value="0">none</option><option value="6">up to 6 min</option><option value="15">up to 15 min</option><option value="30">up to 30 min</option>
          </select>
        </label>
        <button type="submit" class="primary" disabled={create.busy || !preview || preview.lines.length === 0} data-testid="invoice-create">Create draft</button>
      </form>
      <FormError error={create.error || error} testid="invoice-error" />
      {preview && (
        <div class="preview" data-testid="invoice-preview">
          <Lines lines={preview.lines} currency={preview.currency} />
          <Totals inv={preview} testid="preview-total" />
        </div>
      )}
    </section>
  );
}

function Lines({ lines, currency }) {
  return (
    <table class="list lines">
      <thead><tr><th>Description</th><th class="right">Hours</th><th class="right">Rate</th><th class="right">Amount</th></tr></thead>
      <tbody>
        {lines.map((l, i) => (
          <tr key={i} data-testid="invoice-line"><td>{l.description}</td><td class="right mono">{l.hours}</td>
            <td class="right mono">{l.rate}</td><td class="right mono">{money(l.amount, currency)}</td></tr>
        ))}
        {lines.length === 0 && <tr><td colSpan={4} class="hint">Nothing to bill in this period.</td></tr>}
      </tbody>
    </table>
  );
}

function Totals({ inv, testid }) {
  return (
    <dl class="totals-list">
      <dt>Subtotal</dt><dd class="mono">{money(inv.subtotal, inv.currency)}</dd>
      <dt>Tax ({inv.taxRatePercent}%)</dt><dd class="mono">{money(inv.tax, inv.currency)}</dd>
      <dt>Total</dt><dd class="mono strong" data-testid={testid}>{money(inv.total, inv.currency)}</dd>
      {inv.paid != null && <><dt>Paid</dt><dd class="mono">{money(inv.paid, inv.currency)}</dd><dt>Due</dt><dd class="mono" data-testid="invoice-due">{money(inv.due, inv.currency)}</dd></>}
    </dl>
  );
}

function InvoiceDetail({ id, base, stamp, onChanged }) {
  const app = useApp();
  const [inv, setInv] = useState(null);
  const [amount, setAmount] = useState('');
  const [error, setError] = useState(null);
  const load = async () => {
    try { setInv(await api.get(`${base}/invoices/${id}`)); } catch (err) { setError(err); }
  };
  useEffect(() => { load(); }, [id, stamp]);
  const act = async (fn, done) => {
    setError(null);
    try { const r = await fn(); if (r) setInv({ ...inv, ...r }); await load(); onChanged(); if (done) app.notify(done); } catch (err) { setError(err); }
  };
  if (!inv) return error ? <FormError error={error} /> : <p class="hint">Loading…</p>;
  return (
    <div class="invoice" data-testid="invoice-detail" data-invoice-id={inv.id}>
      <p><a href="#/billing">← Billing</a></p>
      <div class="page-head">
        <h1 data-testid="invoice-number">{inv.number || 'Draft invoice'}</h1>
        <StatusTag invoice={inv} />
      </div>
      <section class="card">
        <div class="grid2">
          <div>
            <h2>{inv.clientName}</h2>
            <p class="hint pre">{inv.clientEmail}{inv.clientAddress ? '\n' + inv.clientAddress : ''}</p>
          </div>
          <div class="hint">
            <div>Period: {inv.from.slice(0, 10)} – {inv.to.slice(0, 10)}</div>
            {inv.issuedAt && <div>Issued: {dateTimeLabel(inv.issuedAt)}</div>}
            {inv.dueAt && <div>Due: {dateTimeLabel(inv.dueAt)}</div>}
          </div>
        </div>
        <Lines lines={inv.lines || []} currency={inv.currency} />
        <Totals inv={inv} testid="invoice-total" />
        {(inv.payments || []).length > 0 && (
          <>
            <h3>Payments</h3>
            <ul class="plain">{inv.payments.map((p) => <li key={p.id}>{money(p.amount, inv.currency)} on {dateTimeLabel(p.paidAt)} {p.note}</li>)}</ul>
          </>
        )}
        <FormError error={error} testid="invoice-action-error" />
        <div class="inline wrap actions">
          <button type="button" onClick={() => act(() => api.download(`${base}/invoices/${inv.id}/pdf`, (inv.number || 'draft') + '.pdf'))} data-testid="invoice-pdf">Download PDF</button>
          {inv.status === 'draft' && <button type="button" class="primary" onClick={() => act(() => api.post(`${base}/invoices/${inv.id}/issue`), 'Invoice issued.')} data-testid="invoice-issue">Issue</button>}
          {inv.status === 'draft' && <button type="button" class="danger" onClick={async () => { if (confirm('Delete this draft?')) { try { await api.del(`${base}/invoices/${inv.id}`); onChanged(); location.hash = '#/billing'; } catch (err) { setError(err); } } }} data-testid="invoice-delete">Delete draft</button>}
          {inv.status === 'issued' && (
            <form class="inline" onSubmit={(e) => { e.preventDefault(); act(() => api.post(`${base}/invoices/${inv.id}/payments`, { amount: amount.trim() }), 'Payment recorded.').then(() => setAmount('')); }}>
              <input value={amount} onInput={(e) => setAmount(e.currentTarget.value)} placeholder={inv.due} aria-label="Payment amount" class="short" inputMode="decimal" required data-testid="payment-amount" />
              <button type="submit" data-testid="payment-record">Record payment</button>
            </form>
          )}
          {inv.status === 'issued' && <button type="button" class="danger" onClick={() => { if (confirm('Void this invoice? Its time becomes billable again.')) act(() => api.post(`${base}/invoices/${inv.id}/void`), 'Invoice voided.'); }} data-testid="invoice-void">Void</button>}
        </div>
      </section>
    </div>
  );
}

export { describe };

function Settings({ base }) {
  const app = useApp();
  const [f, setF] = useState(null);
  useEffect(() => { api.get(`${base}/billing-settings`).then((x) => setF({ invoiceNumberPattern: x.invoiceNumberPattern || '',
    sellerAddress: x.sellerAddress || '', sellerTaxId: x.sellerTaxId || '' })).catch(app.fail); }, [base]);
  const save = useSubmit(async () => {
    await api.put(`${base}/billing-settings`, { invoiceNumberPattern: f.invoiceNumberPattern.trim(),
      sellerAddress: f.sellerAddress.trim() || null, sellerTaxId: f.sellerTaxId.trim() || null });
    app.notify('Billing settings saved.');
  });
  if (!f) return null;
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  return (
    <details class="card">
      <summary><strong>Billing settings</strong> <span class="hint">number pattern, your address and tax id on invoices</span></summary>
      <form class="stack" onSubmit={save.submit}>
        <label>Invoice number pattern ({'{yyyy}'}, {'{seq}'}, {'{seq:4}'})
          <input value={f.invoiceNumberPattern} onInput={set('invoiceNumberPattern')} required />
        </label>
        <label>Your address <textarea rows={3} value={f.sellerAddress} onInput={set('sellerAddress')} /></label>
        <label>Your tax id <input value={f.sellerTaxId} onInput={set('sellerTaxId')} /></label>
        <div><button type="submit" disabled={save.busy}>Save settings</button></div>
        <FormError error={save.error} />
      </form>
    </details>
  );
}
