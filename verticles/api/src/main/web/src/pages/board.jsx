import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describe } from '../api.js';
import { bus } from '../bus.js';
import { useApp } from '../state.js';
import { hoursMinutes, initials } from '../util.jsx';

/** Takes the task out of wherever it is and inserts it at task.position of task.columnId (ignores stale versions). */
function place(columns, task, force) {
  const existing = columns.flatMap((c) => c.tasks).find((t) => t.id === task.id);
  if (existing && !force && existing.version >= task.version) return columns;
  const merged = existing ? { ...existing, ...task, trackedSeconds: task.trackedSeconds ?? existing.trackedSeconds } : task;
  return columns.map((c) => {
    const tasks = c.tasks.filter((t) => t.id !== task.id);
    if (c.id === task.columnId) tasks.splice(Math.min(task.position ?? tasks.length, tasks.length), 0, merged);
    return { ...c, tasks };
  });
}

function removeTask(columns, id) {
  return columns.map((c) => ({ ...c, tasks: c.tasks.filter((t) => t.id !== id) }));
}

export function Board({ projectId }) {
  const app = useApp();
  const project = app.projects.find((p) => p.id === projectId) || app.projects[0];
  const pid = project && project.id;
  const [columns, setColumns] = useState(null);
  const [conflict, setConflict] = useState(null);
  const [dragging, setDragging] = useState(null);
  const [dropHint, setDropHint] = useState(null);
  const [newTitle, setNewTitle] = useState('');
  const [detailId, setDetailId] = useState(null);
  const columnsRef = useRef(null);
  columnsRef.current = columns;
  const base = pid && `/api/teams/${app.teamId}/projects/${pid}`;

  const load = async () => {
    if (!pid) return;
    try {
      const board = await api.get(`${base}/board`);
      setColumns(board.columns);
    } catch (err) { app.fail(err); }
  };

  useEffect(() => {
    setColumns(null);
    setConflict(null);
    if (!pid) return undefined;
    return bus.subscribe(`team.${app.teamId}.board.${pid}`, (event) => {
      if (event.type === 'columns.changed') { load(); return; }
      if (!event.task) return;
      setColumns((cols) => {
        if (!cols) return cols;
        return event.type === 'task.deleted' ? removeTask(cols, event.task.id) : place(cols, event.task);
      });
    }, load);
  }, [app.teamId, pid]);

  const all = columns ? columns.flatMap((c) => c.tasks) : [];
  const detail = all.find((t) => t.id === detailId);
  const nameOf = (id) => (app.members.find((m) => m.user.id === id) || { user: { name: '' } }).user.name;

  async function move(task, columnId, beforeTaskId) {
    const cols = columnsRef.current;
    const target = cols.find((c) => c.id === columnId);
    const others = target.tasks.filter((t) => t.id !== task.id);
    let index = beforeTaskId ? others.findIndex((t) => t.id === beforeTaskId) : others.length;
    if (index < 0) index = others.length;
    const afterTaskId = index > 0 ? others[index - 1].id : undefined;
    if (task.columnId === columnId && target.tasks.findIndex((t) => t.id === task.id) === index) return; // no change
    setConflict(null);
    setColumns(place(cols, { ...task, columnId, position: index }, true));
    try {
      const body = { columnId, version: task.version };
      if (afterTaskId) body.afterTaskId = afterTaskId;
      const moved = await api.post(`${base}/tasks/${task.id}/move`, body);
      setColumns((c) => place(c, moved));
    } catch (err) {
      if (err.code === 'version_conflict') {
        setConflict(`${task.key} was changed by someone else meanwhile, so your move was not applied. The card shows its current place; move it again if you still want to.`);
      } else {
        app.fail(err);
      }
      await load();
    }
  }

  const onDrop = (e, columnId, beforeTaskId) => {
    e.preventDefault();
    e.stopPropagation();
    setDropHint(null);
    const id = e.dataTransfer.getData('text/plain') || dragging;
    setDragging(null);
    const task = columnsRef.current && columnsRef.current.flatMap((c) => c.tasks).find((t) => t.id === id);
    if (task) move(task, columnId, beforeTaskId);
  };

  async function addTask(e) {
    e.preventDefault();
    try {
      const task = await api.post(`${base}/tasks`, { title: newTitle.trim() });
      setNewTitle('');
      setColumns((c) => place(c, task));
    } catch (err) { app.fail(err); }
  }

  const columnAction = async (action) => {
    try { await action(); await load(); } catch (err) { app.fail(err); }
  };
  const addColumn = () => {
    const name = prompt('Name of the new column');
    if (name && name.trim()) columnAction(() => api.post(`${base}/columns`, { name: name.trim() }));
  };
  const renameColumn = (col) => {
    const name = prompt('Rename column', col.name);
    if (name && name.trim() && name.trim() !== col.name) columnAction(() => api.patch(`${base}/columns/${col.id}`, { name: name.trim() }));
  };
  const deleteColumn = (col) => {
    if (confirm('Delete the column ' + col.name + '? It must be empty.')) columnAction(() => api.del(`${base}/columns/${col.id}`));
  };

  if (!pid) return <p class="hint">No project yet. {app.isAdmin ? <a href="#/team">Create one on the Team page.</a> : 'Ask an admin to create one.'}</p>;

  return (
    <div class="board-page">
      <div class="page-head">
        <h1>Board</h1>
        <select value={pid} onChange={(e) => { location.hash = '#/board/' + e.currentTarget.value; }} aria-label="Project" data-testid="board-project">
          {app.projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
        <form class="inline" onSubmit={addTask}>
          <input value={newTitle} onInput={(e) => setNewTitle(e.currentTarget.value)} placeholder="New task title" aria-label="New task title"
                 maxLength={200} required data-testid="task-title" />
          <button type="submit" data-testid="task-add">Add task</button>
        </form>
        {app.isAdmin && <button type="button" onClick={addColumn}>Add column</button>}
      </div>
      {conflict && <p class="message error" role="alert" data-testid="board-conflict">{conflict}
        <button type="button" class="link" onClick={() => setConflict(null)} aria-label="Dismiss">×</button></p>}
      {!columns ? <p class="hint">Loading…</p> : (
        <div class="columns" data-testid="board">
          {columns.map((col) => (
            <section key={col.id} class={'column' + (dropHint && dropHint.col === col.id ? ' over' : '')} data-testid="column"
                     data-column-id={col.id} data-column-name={col.name}
                     onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; if (!dropHint || dropHint.col !== col.id) setDropHint({ col: col.id }); }}
                     onDrop={(e) => onDrop(e, col.id, null)}>
              <h2>{col.name} <span class="count">{col.tasks.length}</span>
                {app.isAdmin && (
                  <span class="col-actions">
                    <button type="button" class="link" onClick={() => renameColumn(col)} aria-label={'Rename ' + col.name} title="Rename">✎</button>
                    <button type="button" class="link" onClick={() => deleteColumn(col)} aria-label={'Delete ' + col.name} title="Delete">×</button>
                  </span>
                )}
              </h2>
              <ul class="cards">
                {col.tasks.map((t) => (
                  <li key={t.id} class={'task' + (dragging === t.id ? ' dragging' : '') + (dropHint && dropHint.before === t.id ? ' drop-before' : '')}
                      draggable={true} tabIndex={0} data-testid="task" data-task-id={t.id} data-task-key={t.key} data-version={t.version}
                      onDragStart={(e) => { e.dataTransfer.setData('text/plain', t.id); e.dataTransfer.effectAllowed = 'move'; setDragging(t.id); }}
                      onDragEnd={() => { setDragging(null); setDropHint(null); }}
                      onDragOver={(e) => { e.preventDefault(); e.stopPropagation(); if (!dropHint || dropHint.before !== t.id) setDropHint({ col: col.id, before: t.id }); }}
                      onDrop={(e) => onDrop(e, col.id, t.id)}
                      onClick={() => setDetailId(t.id)}
                      onKeyDown={(e) => { if (e.key === 'Enter') setDetailId(t.id); }}>
                    <span class="key">{t.key}</span>
                    <span class="title">{t.title}</span>
                    <span class="meta">
                      {t.trackedSeconds > 0 && <span class="hint">{hoursMinutes(t.trackedSeconds)}</span>}
                      {t.assigneeId && <span class="avatar small" title={nameOf(t.assigneeId)}>{initials(nameOf(t.assigneeId))}</span>}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      {detail && <TaskDetail task={detail} columns={columns} base={base} onClose={() => setDetailId(null)} onMove={move}
                             onChanged={(t) => setColumns((c) => place(c, t, true))} onConflict={(msg) => { setConflict(msg); load(); }} />}
    </div>
  );
}

function TaskDetail({ task, columns, base, onClose, onMove, onChanged, onConflict }) {
  const app = useApp();
  const [title, setTitle] = useState(task.title);
  const [error, setError] = useState(null);
  useEffect(() => { setTitle(task.title); setError(null); }, [task.id]);
  const save = async (patch) => {
    setError(null);
    try {
      onChanged(await api.patch(`${base}/tasks/${task.id}`, { version: task.version, ...patch }));
    } catch (err) {
      if (err.code === 'version_conflict') onConflict(`${task.key} was changed by someone else meanwhile; it was reloaded and your change was not saved.`);
      else setError(err);
    }
  };
  const startTimer = async () => {
    try {
      const entry = await bus.send('timers.start', { teamId: app.teamId, projectId: task.projectId, taskId: task.id, description: task.title });
      app.applyTimerEvent({ type: 'timer.started', teamId: entry.teamId, entry });
      app.notify('Timer started on ' + task.key + '.');
    } catch (err) { app.fail(err); }
  };
  return (
    <aside class="card detail" aria-label={'Task ' + task.key} data-testid="task-detail">
      <div class="page-head">
        <h2>{task.key}</h2>
        <button type="button" class="link" onClick={onClose} aria-label="Close">×</button>
      </div>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); save({ title: title.trim() }); }}>
        <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} aria-label="Title" maxLength={200} />
        <button type="submit" disabled={title.trim() === task.title}>Save</button>
      </form>
      <label>Assignee
        <select value={task.assigneeId || ''} onChange={(e) => save({ assigneeId: e.currentTarget.value || null })}>
          <option value="">Nobody</option>
          {app.members.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
      </label>
      <label>Column
        <select value={task.columnId} onChange={(e) => onMove(task, e.currentTarget.value, null)} data-testid="task-move">
          {columns.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </label>
      <p>Tracked: <strong data-testid="task-tracked">{hoursMinutes(task.trackedSeconds || 0)}</strong></p>
      {error && <p class="field-error" role="alert">{describe(error)}</p>}
      <button type="button" class="primary" onClick={startTimer} data-testid="task-start-timer">Start timer on this task</button>
    </aside>
  );
}
