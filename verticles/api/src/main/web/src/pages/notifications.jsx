import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { bus } from '../bus.js';
import { useApp } from '../state.js';
import { dateTimeLabel } from '../util.jsx';

/** The bell: a live unread count (user.{userId}.notifications), the latest notifications, mark read. */
export function Bell() {
  const app = useApp();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState([]);
  const [unread, setUnread] = useState(0);
  const ref = useRef(null);
  const load = async () => {
    try {
      const page = await api.get('/api/notifications?limit=20');
      setItems(page.items);
      setUnread(page.unread);
    } catch (err) { /* the page shows REST errors elsewhere */ }
  };
  useEffect(() => bus.subscribe(`user.${app.user.id}.notifications`, (event) => {
    if (typeof event.unread === 'number') setUnread(event.unread);
    if (event.type === 'notification.created' && event.notification) {
      setItems((list) => [event.notification, ...list.filter((n) => n.id !== event.notification.id)].slice(0, 50));
    } else if (event.type === 'notification.read' && event.notification) {
      setItems((list) => list.map((n) => (n.id === event.notification.id ? event.notification : n)));
    } else if (event.type === 'notifications.read-all') {
      setItems((list) => list.map((n) => (n.readAt ? n : { ...n, readAt: new Date().toISOString() })));
    }
  }, load), [app.user.id]);
  useEffect(() => {
    if (!open) return undefined;
    const close = (e) => { if (ref.current && !ref.current.contains(e.target)) setOpen(false); };
    const esc = (e) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', esc);
    return () => { document.removeEventListener('mousedown', close); document.removeEventListener('keydown', esc); };
  }, [open]);
  const read = async (n) => {
    try {
      if (!n.readAt) await api.post(`/api/notifications/${n.id}/read`);
      const hash = n.link && n.link.indexOf('#') >= 0 ? n.link.slice(n.link.indexOf('#')) : null;
      if (hash) { location.hash = hash; setOpen(false); }
    } catch (err) { app.fail(err); }
  };
  const readAll = async () => { try { await api.post('/api/notifications/read-all'); } catch (err) { app.fail(err); } };
  return (
    <div class="bell" ref={ref}>
      <button type="button" class="icon" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)}
              aria-label={unread + ' unread notifications'} data-testid="bell">
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2Zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 1 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1l-2-2Z" /></svg>
        {unread > 0 && <span class="badge" data-testid="bell-count">{unread}</span>}
      </button>
      {open && (
        <div class="dropdown card" role="dialog" aria-label="Notifications" data-testid="notifications">
          <div class="page-head">
            <strong>Notifications</strong>
            <button type="button" class="link" onClick={readAll} disabled={unread === 0}>Mark all read</button>
          </div>
          <ul class="plain">
            {items.map((n) => (
              <li key={n.id} class={n.readAt ? 'read' : 'unread'} data-testid="notification">
                <button type="button" class="link block" onClick={() => read(n)}>
                  <strong>{n.title}</strong>
                  {n.body && <span class="hint block">{n.body}</span>}
                  <span class="hint small">{dateTimeLabel(n.createdAt)}</span>
                </button>
              </li>
            ))}
            {items.length === 0 && <li class="hint">Nothing yet.</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
