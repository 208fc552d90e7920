import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { bus } from '../bus.js';
import { useApp } from '../state.js';
import { dateTimeLabel, initials, mentionName, timeLabel } from '../util.jsx';

const PAGE = 50;
const WATCHED = 80;

function channelLabel(channel, members, me) {
  if (channel.kind !== 'dm') return '# ' + channel.name;
  const other = (channel.memberIds || []).find((id) => id !== me) || me;
  const m = members.find((x) => x.user.id === other);
  return m ? m.user.name : 'Direct message';
}

/** Message text with @mentions of members highlighted (mine stronger). */
function Text({ text, members, me }) {
  const names = new Map(members.map((m) => [mentionName(m.user.name).toLowerCase(), m.user.id]));
  const parts = text.split(/(@[\p{L}\p{N}_.-]+)/u);
  return parts.map((part, i) => {
    if (i % 2 === 1) {
      const id = names.get(part.slice(1).toLowerCase());
      if (id) return <span key={i} class={'mention' + (id === me ? ' me' : '')} data-testid="mention">{part}</span>;
    }
    return part;
  });
}

export function Chat({ channelId }) {
  const app = useApp();
  const me = app.user.id;
  const [channels, setChannels] = useState([]);
  const [messages, setMessages] = useState([]);
  const [next, setNext] = useState(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [presence, setPresence] = useState({});
  const [typing, setTyping] = useState({});
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(null);
  const [suggest, setSuggest] = useState(null); // {query, start, index}
  const [newChannel, setNewChannel] = useState('');
  const listRef = useRef(null);
  const inputRef = useRef(null);
  const stickBottom = useRef(true);
  const keepOffset = useRef(null);
  const lastTyping = useRef(0);
  const current = channelId || (channels[0] && channels[0].id);
  const currentRef = useRef(current);
  currentRef.current = current;
  const channel = channels.find((c) => c.id === current);
  const base = `/api/teams/${app.teamId}`;

  const loadChannels = async () => {
    try {
      const list = await api.get(`${base}/channels`);
      setChannels(list.map((c) => (c.id === currentRef.current ? { ...c, unreadCount: 0 } : c)));
    } catch (err) { app.fail(err); }
  };

  const markRead = (messageId) => {
    if (!messageId) return;
    const cid = currentRef.current;
    api.post(`${base}/channels/${cid}/read`, { messageId }).catch(() => {});
    setChannels((list) => list.map((c) => (c.id === cid ? { ...c, unreadCount: 0 } : c)));
  };

  const merge = (older, newer) => {
    const byId = new Map();
    [...older, ...newer].forEach((m) => byId.set(m.id, m));
    return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.seq || 0) - (b.seq || 0));
  };

  /** The newest page of the open channel, merged into what is shown (a reconnect fills the gap this way). */
  const loadLatest = async (replace) => {
    const cid = currentRef.current;
    if (!cid) return;
    try {
      const page = await api.get(`${base}/channels/${cid}/messages` + qs({ limit: PAGE }));
      if (currentRef.current !== cid) return;
      const items = page.items.slice().reverse();
      stickBottom.current = true;
      setMessages((prev) => (replace ? items : merge(prev, items)));
      if (replace) setNext(page.next);
      if (items.length) markRead(items[items.length - 1].id);
    } catch (err) { app.fail(err); }
  };

  const loadOlder = async () => {
    const cid = currentRef.current;
    if (!next || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api.get(`${base}/channels/${cid}/messages` + qs({ limit: PAGE, before: next }));
      if (currentRef.current !== cid) return;
      const el = listRef.current;
      keepOffset.current = el ? el.scrollHeight - el.scrollTop : null;
      stickBottom.current = false;
      setMessages((prev) => merge(page.items.slice().reverse(), prev));
      setNext(page.next);
    } catch (err) { app.fail(err); } finally { setLoadingOlder(false); }
  };

  useEffect(() => { loadChannels(); }, [app.teamId]);

  useEffect(() => {
    setMessages([]);
    setNext(null);
    setTyping({});
    setEditing(null);
    loadLatest(true);
    if (inputRef.current) inputRef.current.focus();
  }, [current]);

  // One subscription per channel: live messages, unread badges of the other channels, typing. A socket may hold
  // TRCR_BRIDGE_MAX_SUBSCRIPTIONS (100) registrations, so at most WATCHED channels are followed live (the open one and
  // the most recently active); the badges of any others come from re-reading the channel list every 30 s.
  const watched = channels.slice().sort((x, y) => (x.id === current ? -1 : y.id === current ? 1
    : (y.lastMessageAt || '').localeCompare(x.lastMessageAt || ''))).slice(0, WATCHED);
  const channelIds = watched.map((c) => c.id).sort().join(',');
  useEffect(() => {
    if (channels.length <= WATCHED) return undefined;
    const id = setInterval(loadChannels, 30000);
    return () => clearInterval(id);
  }, [channels.length > WATCHED]);
  useEffect(() => {
    let timer = null;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { loadChannels(); loadLatest(false); }, 50);
    };
    const offs = watched.map((c) => bus.subscribe(`team.${app.teamId}.chat.${c.id}`, (event) => {
      if (event.type === 'typing') {
        if (event.userId !== me && event.channelId === currentRef.current) {
          setTyping((t) => ({ ...t, [event.userId]: Date.now() }));
        }
        return;
      }
      const message = event.message;
      if (!message) return;
      if (event.channelId === currentRef.current) {
        const el = listRef.current;
        stickBottom.current = !el || el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        setMessages((prev) => merge(prev, [message]));
        if (event.type === 'message.created') {
          setTyping((t) => { const x = { ...t }; delete x[message.userId]; return x; });
          if (message.userId !== me) markRead(message.id);
        }
      } else if (event.type === 'message.created' && message.userId !== me) {
        setChannels((list) => list.map((x) => (x.id === event.channelId
          ? { ...x, unreadCount: (x.unreadCount || 0) + 1, lastMessageAt: message.createdAt } : x)));
      }
    }, reload));
    return () => { clearTimeout(timer); offs.forEach((off) => off()); };
  }, [app.teamId, channelIds]);

  // Presence: a snapshot over REST after every (re)registration, then the ephemeral events.
  useEffect(() => bus.subscribe(`team.${app.teamId}.presence`, (event) => {
    if (event.type === 'presence') setPresence((p) => ({ ...p, [event.userId]: event.status }));
  }, async () => {
    try {
      const list = await api.get(`${base}/presence`);
      setPresence(Object.fromEntries(list.map((p) => [p.userId, p.status])));
    } catch (err) { /* shown elsewhere */ }
  }), [app.teamId]);

  // Typing indicators fade after 4 s.
  useEffect(() => {
    const id = setInterval(() => setTyping((t) => {
      const now = Date.now();
      const kept = Object.fromEntries(Object.entries(t).filter(([, at]) => now - at < 4000));
      return Object.keys(kept).length === Object.keys(t).length ? t : kept;
    }), 1000);
    return () => clearInterval(id);
  }, []);

  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    if (keepOffset.current != null) {
      el.scrollTop = el.scrollHeight - keepOffset.current;
      keepOffset.current = null;
    } else if (stickBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages]);

  const onScroll = (e) => {
    if (e.currentTarget.scrollTop < 60) loadOlder();
  };

  const matches = suggest
    ? app.members.filter((m) => m.user.id !== me && mentionName(m.user.name).toLowerCase().startsWith(suggest.query.toLowerCase())).slice(0, 6)
    : [];

  const onInput = (e) => {
    const value = e.currentTarget.value;
    setText(value);
    const caret = e.currentTarget.selectionStart;
    const m = /(^|[^\p{L}\p{N}])@([\p{L}\p{N}_]*)$/u.exec(value.slice(0, caret));
    setSuggest(m ? { query: m[2], start: caret - m[2].length - 1, index: 0 } : null);
    if (Date.now() - lastTyping.current > 2000 && value.trim() && bus.open) {
      lastTyping.current = Date.now();
      bus.send('chat.typing', { teamId: app.teamId, channelId: current }).catch(() => {});
    }
  };

  const complete = (member) => {
    const el = inputRef.current;
    const caret = el.selectionStart;
    const inserted = '@' + mentionName(member.user.name) + ' ';
    const value = text.slice(0, suggest.start) + inserted + text.slice(caret);
    setText(value);
    setSuggest(null);
    requestAnimationFrame(() => { el.focus(); el.selectionStart = el.selectionEnd = suggest.start + inserted.length; });
  };

  const send = async () => {
    const body = text.trim();
    if (!body || !current) return;
    const clientMessageId = 'c-' + Date.now() + '-' + Math.random().toString(36).slice(2, 8);
    setText('');
    setSuggest(null);
    try {
      const message = bus.open
        ? await bus.send('chat.post', { teamId: app.teamId, channelId: current, text: body, clientMessageId })
        : await api.post(`${base}/channels/${current}/messages`, { text: body, clientMessageId });
      stickBottom.current = true;
      if (message.channelId === currentRef.current) setMessages((prev) => merge(prev, [message]));
    } catch (err) {
      setText(body);
      app.fail(err);
    }
  };

  const onKeyDown = (e) => {
    if (matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setSuggest({ ...suggest, index: (suggest.index + d + matches.length) % matches.length });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        complete(matches[suggest.index] || matches[0]);
        return;
      }
      if (e.key === 'Escape') { setSuggest(null); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  };

  const saveEdit = async (e) => {
    e.preventDefault();
    try {
      const updated = await api.patch(`${base}/channels/${current}/messages/${editing.id}`, { text: editing.text });
      setMessages((prev) => merge(prev, [updated]));
      setEditing(null);
    } catch (err) { app.fail(err); }
  };
  const remove = async (m) => {
    if (!confirm('Delete this message?')) return;
    try {
      await api.del(`${base}/channels/${current}/messages/${m.id}`);
      setMessages((prev) => merge(prev, [{ ...m, deleted: true, text: null }]));
    } catch (err) { app.fail(err); }
  };
  const openDm = async (userId) => {
    try {
      const dm = await api.post(`${base}/dms`, { userId });
      if (!channels.some((c) => c.id === dm.id)) setChannels((list) => [...list, dm]);
      location.hash = '#/chat/' + dm.id;
    } catch (err) { app.fail(err); }
  };
  const createChannel = async (e) => {
    e.preventDefault();
    try {
      const created = await api.post(`${base}/channels`, { name: newChannel.trim() });
      setNewChannel('');
      setChannels((list) => [...list, created]);
      location.hash = '#/chat/' + created.id;
    } catch (err) { app.fail(err); }
  };

  const nameOf = (id) => (app.members.find((m) => m.user.id === id) || { user: { name: 'Someone' } }).user.name;
  const typingNames = Object.keys(typing).map(nameOf);
  const named = channels.filter((c) => c.kind !== 'dm');
  const dms = channels.filter((c) => c.kind === 'dm');
  const dmWith = (userId) => dms.find((c) => (c.memberIds || []).includes(userId));

  const channelLink = (c) => (
    <li key={c.id}>
      <a href={'#/chat/' + c.id} class={c.id === current ? 'active' : ''} data-testid="channel" data-channel-id={c.id}
         data-channel-name={c.name || ''} aria-current={c.id === current ? 'page' : undefined}>
        <span class="name">{channelLabel(c, app.members, me)}</span>
        {c.unreadCount > 0 && <span class="badge" data-testid="unread" aria-label={c.unreadCount + ' unread'}>{c.unreadCount}</span>}
      </a>
    </li>
  );

  return (
    <div class="chat">
      <aside class="card channels" aria-label="Channels">
        <h2>Channels</h2>
        <ul class="nav-list" data-testid="channels">{named.map(channelLink)}</ul>
        <form class="inline small" onSubmit={createChannel}>
          <input value={newChannel} onInput={(e) => setNewChannel(e.currentTarget.value)} placeholder="new-channel"
                 aria-label="New channel name" maxLength={80} required />
          <button type="submit">Add</button>
        </form>
        <h2>Direct messages</h2>
        <ul class="nav-list" data-testid="people">
          {app.members.filter((m) => m.user.id !== me).map((m) => {
            const dm = dmWith(m.user.id);
            return (
              <li key={m.user.id}>
                <a href={dm ? '#/chat/' + dm.id : '#/chat'} class={dm && dm.id === current ? 'active' : ''}
                   onClick={(e) => { if (!dm) { e.preventDefault(); openDm(m.user.id); } }} data-testid="dm" data-user-id={m.user.id}>
                  <span class={'dot ' + (presence[m.user.id] === 'online' ? 'online' : 'offline')} data-testid="presence"
                        data-status={presence[m.user.id] || 'offline'} title={presence[m.user.id] || 'offline'} />
                  <span class="name">{m.user.name}</span>
                  {dm && dm.unreadCount > 0 && dm.id !== current && <span class="badge" data-testid="unread">{dm.unreadCount}</span>}
                </a>
              </li>
            );
          })}
        </ul>
      </aside>
      <section class="card conversation" aria-label="Messages">
        <h2 data-testid="channel-title">{channel ? channelLabel(channel, app.members, me) : 'Chat'}</h2>
        <div class="messages" ref={listRef} onScroll={onScroll} data-testid="messages" tabIndex={0}>
          {next ? <button type="button" class="link older" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older messages'}</button>
            : messages.length > 0 && <p class="hint center">This is the start of the conversation.</p>}
          {messages.map((m, i) => {
            const prev = messages[i - 1];
            const grouped = prev && prev.userId === m.userId && prev.authorName === m.authorName && Date.parse(m.createdAt) - Date.parse(prev.createdAt) < 300000;
            const mine = m.userId === me;
            const mentioned = (m.mentions || []).includes(me);
            return (
              <article key={m.id} class={'msg' + (grouped ? ' grouped' : '') + (mentioned ? ' mentioned' : '')} data-testid="message-item"
                       data-message-id={m.id}>
                {!grouped && <span class="avatar" aria-hidden="true">{initials(m.authorName || nameOf(m.userId))}</span>}
                <div class="body">
                  {!grouped && <header><strong>{m.authorName || nameOf(m.userId)}</strong> <time title={dateTimeLabel(m.createdAt)}>{timeLabel(m.createdAt)}</time></header>}
                  {m.deleted ? <p class="deleted">This message was deleted.</p>
                    : editing && editing.id === m.id ? (
                      <form class="inline" onSubmit={saveEdit}>
                        <input value={editing.text} onInput={(e) => setEditing({ ...editing, text: e.currentTarget.value })}
                               aria-label="Edit message" data-testid="edit-input"
                               onKeyDown={(e) => { if (e.key === 'Escape') setEditing(null); }} />
                        <button type="submit">Save</button>
                        <button type="button" class="link" onClick={() => setEditing(null)}>Cancel</button>
                      </form>
                    ) : (
                      <p data-testid="message-text"><Text text={m.text} members={app.members} me={me} />
                        {m.editedAt && <span class="hint"> (edited)</span>}</p>
                    )}
                </div>
                {mine && !m.deleted && !(editing && editing.id === m.id) && (
                  <span class="msg-actions">
                    <button type="button" class="link" onClick={() => setEditing({ id: m.id, text: m.text })} data-testid="edit">Edit</button>
                    <button type="button" class="link" onClick={() => remove(m)} data-testid="delete">Delete</button>
                  </span>
                )}
              </article>
            );
          })}
          {messages.length === 0 && <p class="hint center">No messages yet. Say hello!</p>}
        </div>
        <p class="typing" data-testid="typing" aria-live="polite">
          {typingNames.length ? typingNames.join(', ') + (typingNames.length > 1 ? ' are' : ' is') + ' typing…' : '\u00a0'}
        </p>
        <div class="composer">
          {matches.length > 0 && (
            <ul class="suggest" role="listbox" data-testid="mention-suggest">
              {matches.map((m, i) => (
                <li key={m.user.id} role="option" aria-selected={i === suggest.index} class={i === suggest.index ? 'active' : ''}
                    onMouseDown={(e) => { e.preventDefault(); complete(m); }}>
                  <strong>@{mentionName(m.user.name)}</strong> <span class="hint">{m.user.name}</span>
                </li>
              ))}
            </ul>
          )}
          <textarea ref={inputRef} rows={2} value={text} onInput={onInput} onKeyDown={onKeyDown} maxLength={4000}
                    placeholder={channel ? 'Message ' + channelLabel(channel, app.members, me) + ' (Enter sends, @ mentions)' : ''}
                    aria-label="Message" data-testid="chat-input" />
          <button type="button" class="primary" onClick={send} data-testid="chat-send" disabled={!text.trim()}>Send</button>
        </div>
      </section>
    </div>
  );
}
