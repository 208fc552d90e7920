import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { bus } from '../bus.js';
import { useApp } from '../state.js';
import { FormError, useSubmit } from './team.jsx';

const KINDS = [
  ['mention', 'Someone mentions me in chat'],
  ['task_assigned', 'A task is assigned to me'],
  ['invoice_issued', 'An invoice is issued (owners and admins)'],
  ['invoice_overdue', 'An invoice is overdue (owners and admins)'],
  ['timer_forgotten', 'My timer has been running for very long'],
  ['webhook_disabled', 'A webhook of my team was disabled after failing (owners)'],
];

/** My account: password change (which signs out my other sessions) and email notification settings. */
export function Account({ onToken }) {
  const app = useApp();
  const [pw, setPw] = useState({ currentPassword: '', newPassword: '' });
  const [settings, setSettings] = useState(null);
  const [settingsError, setSettingsError] = useState(null);

  useEffect(() => {
    api.get('/api/me/notification-settings').then(setSettings).catch(setSettingsError);
  }, []);

  const change = useSubmit(async () => {
    const { token } = await api.post('/api/auth/password', pw);
    setPw({ currentPassword: '', newPassword: '' });
    onToken(token);
    bus.setToken(token);
    app.notify('Password changed. Your other sessions have been signed out.');
  });

  const toggle = async (kind, on) => {
    setSettingsError(null);
    try {
      setSettings(await api.put('/api/me/notification-settings', { email: { [kind]: on } }));
    } catch (err) { setSettingsError(err); }
  };

  return (
    <div class="account">
      <h1>{app.user.name}</h1>
      <p class="hint">{app.user.email}</p>
      <div class="grid2">
        <section class="card">
          <h2>Change password</h2>
          <form class="stack" onSubmit={change.submit} data-testid="password-form">
            <label>Current password
              <input type="password" autocomplete="current-password" value={pw.currentPassword} required
                     onInput={(e) => setPw({ ...pw, currentPassword: e.currentTarget.value })} />
            </label>
            <label>New password (at least 8 characters)
              <input type="password" autocomplete="new-password" value={pw.newPassword} required
                     onInput={(e) => setPw({ ...pw, newPassword: e.currentTarget.value })} />
            </label>
            <button type="submit" class="primary" disabled={change.busy}>Change password</button>
            <FormError error={change.error} />
          </form>
        </section>
        <section class="card">
          <h2>Email notifications</h2>
          {settings && !settings.emailEnabled && <p class="hint">This installation sends no email; notifications appear in the app only.</p>}
          {settings && KINDS.map(([kind, label]) => (
            <label key={kind} class="check">
              <input type="checkbox" checked={!!settings.email[kind]} onChange={(e) => toggle(kind, e.currentTarget.checked)} />
              {label}
            </label>
          ))}
          <FormError error={settingsError} />
        </section>
      </div>
    </div>
  );
}
