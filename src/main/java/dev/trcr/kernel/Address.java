package dev.trcr.kernel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The catalogue of every event-bus address trcr uses: commands (request/reply), internal events and the streams
 * browsers subscribe to. Verticles register and send only through these values; the README's address table is checked
 * against this enum by {@code AddressCatalogueTest}. A new address that is not here is a bug.
 */
public enum Address {

  // --- workspace: users, teams, memberships, projects ---------------------------------------------------------------
  WORKSPACE_SIGNUP("workspace.signup", Kind.COMMAND, "workspace", Browser.NONE,
      "Create a user (the api mints the token).",
      json("{\"email\":\"ada@example.com\",\"password\":\"correct horse\",\"name\":\"Ada\"}"),
      json("{\"user\":{\"id\":\"<uuid>\",\"email\":\"ada@example.com\",\"name\":\"Ada\"},\"tokenVersion\":0}")),
  WORKSPACE_LOGIN("workspace.login", Kind.COMMAND, "workspace", Browser.NONE,
      "Check an email and password; the reply's tokenVersion goes into the token the api mints.",
      json("{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}"),
      json("{\"user\":{\"id\":\"<uuid>\",\"email\":\"ada@example.com\",\"name\":\"Ada\"},\"tokenVersion\":0}")),
  WORKSPACE_ME("workspace.me", Kind.COMMAND, "workspace", Browser.NONE,
      "The caller and their teams with roles.",
      json("{}"),
      json("{\"user\":{\"id\":\"<uuid>\",\"email\":\"ada@example.com\",\"name\":\"Ada\"},\"teams\":[{\"id\":\"<uuid>\",\"name\":\"Acme\",\"role\":\"owner\"}]}")),
  WORKSPACE_TEAMS_CREATE("workspace.teams.create", Kind.COMMAND, "workspace", Browser.NONE,
      "Create a team; the caller becomes its owner.",
      json("{\"name\":\"Acme\"}"),
      json("{\"id\":\"<uuid>\",\"name\":\"Acme\",\"role\":\"owner\"}")),
  WORKSPACE_MEMBERS_ADD("workspace.members.add", Kind.COMMAND, "workspace", Browser.NONE,
      "Add a registered user to a team (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"email\":\"bob@example.com\",\"role\":\"member\"}"),
      json("{\"user\":{\"id\":\"<uuid>\",\"name\":\"Bob\",\"email\":\"bob@example.com\"},\"role\":\"member\"}")),
  WORKSPACE_MEMBERS_UPDATE("workspace.members.update", Kind.COMMAND, "workspace", Browser.NONE,
      "Change a member's role (owner/admin; only owners grant or take away owner; 409 last_owner if no owner would be left).",
      json("{\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"role\":\"admin\"}"),
      json("{\"user\":{\"id\":\"<uuid>\",\"name\":\"Bob\",\"email\":\"bob@example.com\"},\"role\":\"admin\"}")),
  WORKSPACE_MEMBERS_LIST("workspace.members.list", Kind.COMMAND, "workspace", Browser.NONE,
      "The members of a team with their roles.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"user\":{\"id\":\"<uuid>\",\"name\":\"Bob\",\"email\":\"bob@example.com\"},\"role\":\"member\"}]")),
  WORKSPACE_PROJECTS_CREATE("workspace.projects.create", Kind.COMMAND, "workspace", Browser.NONE,
      "Create a project in a team (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"name\":\"Website\",\"hourlyRate\":\"95.00\",\"currency\":\"EUR\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Website\",\"hourlyRate\":\"95.00\",\"currency\":\"EUR\",\"createdAt\":\"2026-01-02T09:00:00Z\"}")),
  WORKSPACE_PROJECTS_LIST("workspace.projects.list", Kind.COMMAND, "workspace", Browser.NONE,
      "The projects of a team.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Website\",\"hourlyRate\":\"95.00\",\"currency\":\"EUR\",\"createdAt\":\"2026-01-02T09:00:00Z\"}]")),
  WORKSPACE_JOURNAL_FEED("workspace.journal.feed", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: the workspace journal as a feed (integrations' audit log and webhooks): its events (every stream) or "
          + "its recorded changes after a cursor, in commit-safe order; next is the cursor for the next call.",
      json("{\"of\":\"changes\",\"after\":\"7351:12\",\"limit\":500}"),
      json("{\"items\":[{\"id\":13,\"at\":\"2026-01-02T09:00:00Z\",\"teamId\":\"<uuid>\",\"actorId\":\"<uuid>\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":\"7360:13\"}")),
  WORKSPACE_ACCESS("workspace.access", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: the role of a user in a team (404 team_not_found for non-members), and a project of that team if asked.",
      json("{\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\"}"),
      json("{\"role\":\"member\",\"user\":{\"id\":\"<uuid>\",\"name\":\"Bob\"},\"project\":{\"id\":\"<uuid>\",\"name\":\"Website\"}}")),
  WORKSPACE_USERS_LOOKUP("workspace.users.lookup", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: names of users by id.",
      json("{\"ids\":[\"<uuid>\"]}"),
      array("[{\"id\":\"<uuid>\",\"name\":\"Bob\"}]")),
  WORKSPACE_USERS_TEAMS("workspace.users.teams", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: the teams of each given user (at most 10000); chat asks when presence changes, to tell each team.",
      json("{\"userIds\":[\"<uuid>\"]}"),
      json("{\"teams\":{\"<uuid>\":[\"<uuid>\"]}}")),
  WORKSPACE_TOKENS_REVOKE("workspace.tokens.revoke", Kind.COMMAND, "workspace", Browser.NONE,
      "Log out: revoke every token of the caller issued so far (raises their token version; publishes workspace.tokens-revoked).",
      json("{}"),
      json("{\"userId\":\"<uuid>\",\"version\":3}")),
  WORKSPACE_PASSWORD_CHANGE("workspace.password.change", Kind.COMMAND, "workspace", Browser.NONE,
      "Change the caller's password (403 wrong_password) and revoke their tokens; the api mints a fresh one.",
      json("{\"currentPassword\":\"correct horse\",\"newPassword\":\"battery staple\"}"),
      json("{\"user\":{\"id\":\"<uuid>\",\"email\":\"ada@example.com\",\"name\":\"Ada\"},\"tokenVersion\":4}")),
  WORKSPACE_SERVICE_TOKENS_CREATE("workspace.service-tokens.create", Kind.COMMAND, "workspace", Browser.NONE,
      "Create a service account for a team (owner/admin): a user of kind service, member of that team only with the "
          + "role given (member or admin), that services use over the TCP bridge or REST; the api mints its token "
          + "(shown once) from the reply.",
      json("{\"teamId\":\"<uuid>\",\"name\":\"Slack relay\",\"role\":\"member\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Slack relay\",\"role\":\"member\",\"userId\":\"<uuid>\",\"tokenVersion\":0,\"createdAt\":\"2026-01-02T09:00:00Z\",\"createdBy\":\"<uuid>\",\"revokedAt\":null}")),
  WORKSPACE_SERVICE_TOKENS_LIST("workspace.service-tokens.list", Kind.COMMAND, "workspace", Browser.NONE,
      "A team's service accounts (owner/admin), revoked ones included, never their tokens.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"name\":\"Slack relay\",\"role\":\"member\",\"userId\":\"<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"revokedAt\":null}]")),
  WORKSPACE_SERVICE_TOKENS_REVOKE("workspace.service-tokens.revoke", Kind.COMMAND, "workspace", Browser.NONE,
      "Revoke a service account's token (owner/admin): it leaves the team and its token is refused from then on; its "
          + "open bridge sockets close (4401) through workspace.tokens-revoked.",
      json("{\"teamId\":\"<uuid>\",\"tokenId\":\"<uuid>\"}"),
      json("{\"userId\":\"<uuid>\",\"version\":1}")),
  WORKSPACE_TOKENS_VERSION("workspace.tokens.version", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: a user's current token version (tokens with an older one are revoked); the edges cache it.",
      json("{\"userId\":\"<uuid>\"}"),
      json("{\"version\":3}")),
  WORKSPACE_PROJECTS_UPDATE("workspace.projects.update", Kind.COMMAND, "workspace", Browser.NONE,
      "Change a project's name, hourlyRate or clientId (null unlinks) (owner/admin); a client is checked with billing (404 client_not_found, 422 currency_mismatch).",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"hourlyRate\":\"100.00\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Website\",\"key\":\"WEB\",\"hourlyRate\":\"100.00\",\"currency\":\"EUR\",\"clientId\":\"<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\"}")),
  WORKSPACE_RATES_SET("workspace.rates.set", Kind.COMMAND, "workspace", Browser.NONE,
      "Set (or with hourlyRate null, remove) a member's own hourly rate on a project (owner/admin); it overrides the project's rate on invoices.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"userId\":\"<uuid>\",\"hourlyRate\":\"120.00\"}"),
      json("{\"projectId\":\"<uuid>\",\"userId\":\"<uuid>\",\"hourlyRate\":\"120.00\"}")),
  WORKSPACE_RATES_LIST("workspace.rates.list", Kind.COMMAND, "workspace", Browser.NONE,
      "A project's per-member rate overrides (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\"}"),
      array("[{\"projectId\":\"<uuid>\",\"userId\":\"<uuid>\",\"hourlyRate\":\"120.00\"}]")),
  WORKSPACE_DIRECTORY("workspace.directory", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: a team, its members with emails and roles (billing's seller block, notifications' recipients) and "
          + "its projects' keys (the board resolves task keys cited by commits); 404 team_not_found.",
      json("{\"teamId\":\"<uuid>\"}"),
      json("{\"team\":{\"id\":\"<uuid>\",\"name\":\"Acme\"},\"members\":[{\"id\":\"<uuid>\",\"name\":\"Ada\",\"email\":\"ada@example.com\",\"role\":\"owner\"}],\"projects\":[{\"id\":\"<uuid>\",\"name\":\"Website\",\"key\":\"WEB\"}]}")),
  WORKSPACE_PROJECTS_BILLING("workspace.projects.billing", Kind.COMMAND, "workspace", Browser.NONE,
      "Internal: the projects of a team linked to a client, with their rates and per-member overrides (billing prices entries with them).",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"name\":\"Website\",\"key\":\"WEB\",\"hourlyRate\":\"100.00\",\"currency\":\"EUR\",\"clientId\":\"<uuid>\",\"rates\":{\"<uuid>\":\"120.00\"}}]")),

  // --- timers: running timers and time entries ----------------------------------------------------------------------
  TIMERS_START("timers.start", Kind.COMMAND, "timers", Browser.SEND,
      "Start the caller's timer; a running one (in any team) is stopped in the same transaction.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Landing page\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Landing page\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":null,\"durationSeconds\":null}")),
  TIMERS_STOP("timers.stop", Kind.COMMAND, "timers", Browser.SEND,
      "Stop the caller's running timer in a team (409 no_running_timer).",
      json("{\"teamId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Landing page\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":\"2026-01-02T10:30:00Z\",\"durationSeconds\":5400}")),
  TIMERS_RUNNING("timers.running", Kind.COMMAND, "timers", Browser.NONE,
      "The running timers of a team with their users.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Landing page\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":null,\"durationSeconds\":null,\"user\":{\"id\":\"<uuid>\",\"name\":\"Bob\"}}]")),
  TIMERS_ENTRIES_LIST("timers.entries.list", Kind.COMMAND, "timers", Browser.NONE,
      "Time entries of a team, newest first, paginated (members see their own).",
      json("{\"teamId\":\"<uuid>\",\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"limit\":50,\"cursor\":null}"),
      json("{\"items\":[],\"next\":null}")),
  TIMERS_ENTRIES_CREATE("timers.entries.create", Kind.COMMAND, "timers", Browser.NONE,
      "Add a manual (stopped) time entry for the caller.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":\"2026-01-02T10:00:00Z\",\"description\":\"Call\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Call\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":\"2026-01-02T10:00:00Z\",\"durationSeconds\":3600}")),
  TIMERS_ENTRIES_UPDATE("timers.entries.update", Kind.COMMAND, "timers", Browser.NONE,
      "Change a time entry (own entries; owners and admins any).",
      json("{\"teamId\":\"<uuid>\",\"entryId\":\"<uuid>\",\"description\":\"Call with client\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Call with client\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":\"2026-01-02T10:00:00Z\",\"durationSeconds\":3600}")),
  TIMERS_ENTRIES_DELETE("timers.entries.delete", Kind.COMMAND, "timers", Browser.NONE,
      "Delete a time entry (own entries; owners and admins any).",
      json("{\"teamId\":\"<uuid>\",\"entryId\":\"<uuid>\"}"),
      json("{}")),

  TIMERS_ENTRIES_CLAIM("timers.entries.claim", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: put the stopped, uninvoiced entries of these projects that start in [from, to) on an invoice, in one statement; answers the entries claimed (none: an empty list).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\",\"projectIds\":[\"<uuid>\"],\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\"}"),
      json("{\"entries\":[{\"id\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"taskId\":null,\"description\":\"Call\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":\"2026-01-02T10:00:00Z\",\"durationSeconds\":3600,\"invoiceId\":\"<uuid>\"}]}")),
  TIMERS_ENTRIES_RELEASE("timers.entries.release", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: take every entry off an invoice (a deleted draft, a voided invoice); repeating it is harmless.",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{\"released\":3}")),
  TIMERS_ENTRIES_UNBILLED("timers.entries.unbilled", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: the stopped, uninvoiced entries of these projects (starting in [from, to) when given) and their running timers; invoice previews and unbilled amounts.",
      json("{\"teamId\":\"<uuid>\",\"projectIds\":[\"<uuid>\"],\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\"}"),
      json("{\"entries\":[],\"running\":[{\"id\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":null}],\"now\":\"2026-01-02T10:00:00Z\"}")),
  TIMERS_RUNNING_LONGER("timers.running.longer", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: every timer, in any team, running for longer than the given seconds (the forgotten-timer check).",
      json("{\"seconds\":36000}"),
      array("[{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":null}]")),

  TIMERS_TASKS_TRACKED("timers.tasks.tracked", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: seconds tracked per task (stopped entries, plus running ones up to now); the board asks when it shows tasks.",
      json("{\"teamId\":\"<uuid>\",\"taskIds\":[\"<uuid>\"]}"),
      json("{\"tracked\":{\"<uuid>\":5400}}")),

  TIMERS_JOURNAL_FEED("timers.journal.feed", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: the timers journal as a feed (integrations' audit log and webhooks): its events (every stream) or "
          + "its recorded changes after a cursor, in commit-safe order; next is the cursor for the next call.",
      json("{\"of\":\"changes\",\"after\":\"7351:12\",\"limit\":500}"),
      json("{\"items\":[{\"id\":13,\"at\":\"2026-01-02T09:00:00Z\",\"teamId\":\"<uuid>\",\"actorId\":\"<uuid>\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":\"7360:13\"}")),
  TIMERS_JOURNAL_READ("timers.journal.read", Kind.COMMAND, "timers", Browser.NONE,
      "Internal: events of one of the timers streams after a seq, from the journal (the hub's gap filling and "
          + "reconnect recovery); limit 0 asks for the head only.",
      json("{\"stream\":\"team.<uuid>.timers\",\"after\":41,\"limit\":500}"),
      json("{\"stream\":\"team.<uuid>.timers\",\"epoch\":\"3f9a1c2e\",\"lastSeq\":43,\"events\":[{\"type\":\"timer.started\",\"seq\":42,\"epoch\":\"3f9a1c2e\"}]}")),

  // --- board: columns and tasks of each project's board --------------------------------------------------------------
  BOARD_GET("board.get", Kind.COMMAND, "board", Browser.NONE,
      "A project's board: its columns in order, each with its tasks in order, each with its newest linked commits "
          + "(created with the default columns on first access).",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\"}"),
      json("{\"projectId\":\"<uuid>\",\"columns\":[{\"id\":\"<uuid>\",\"name\":\"To do\",\"position\":0,\"tasks\":[{\"id\":\"<uuid>\",\"key\":\"WEB-1\",\"title\":\"Hero\",\"position\":0,\"version\":1,\"trackedSeconds\":0,\"commits\":[{\"sha\":\"9fceb02\",\"message\":\"WEB-1: hero\",\"author\":\"Ada\",\"url\":\"https://github.com/acme/web/commit/9fceb02\",\"at\":\"2026-01-02T09:00:00Z\"}]}]}]}")),
  BOARD_COLUMNS_CREATE("board.columns.create", Kind.COMMAND, "board", Browser.NONE,
      "Add a column (owner/admin), after afterColumnId or at the end; publishes columns.changed.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"name\":\"Blocked\",\"afterColumnId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"name\":\"Blocked\",\"position\":2}")),
  BOARD_COLUMNS_UPDATE("board.columns.update", Kind.COMMAND, "board", Browser.NONE,
      "Rename a column and/or move it after afterColumnId (null: first) (owner/admin); publishes columns.changed.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"columnId\":\"<uuid>\",\"name\":\"QA\"}"),
      json("{\"id\":\"<uuid>\",\"name\":\"QA\",\"position\":2}")),
  BOARD_COLUMNS_DELETE("board.columns.delete", Kind.COMMAND, "board", Browser.NONE,
      "Delete an empty column (owner/admin; 409 column_not_empty, 409 last_column); publishes columns.changed.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"columnId\":\"<uuid>\"}"),
      json("{}")),
  BOARD_TASKS_CREATE("board.tasks.create", Kind.COMMAND, "board", Browser.NONE,
      "Create a task at the bottom of its column (default: the first); key {projectKey}-{n}; publishes task.created.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"title\":\"Hero\",\"assigneeId\":\"<uuid>\",\"dueDate\":\"2026-02-01\",\"labels\":[\"design\"]}"),
      json("{\"id\":\"<uuid>\",\"key\":\"WEB-12\",\"columnId\":\"<uuid>\",\"position\":3,\"title\":\"Hero\",\"version\":1,\"trackedSeconds\":0}")),
  BOARD_TASKS_UPDATE("board.tasks.update", Kind.COMMAND, "board", Browser.NONE,
      "Change a task's fields given the version the client saw (409 version_conflict when stale); publishes task.updated.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"taskId\":\"<uuid>\",\"version\":1,\"title\":\"Hero v2\"}"),
      json("{\"id\":\"<uuid>\",\"key\":\"WEB-12\",\"title\":\"Hero v2\",\"version\":2,\"trackedSeconds\":0}")),
  BOARD_MOVE("board.move", Kind.COMMAND, "board", Browser.SEND,
      "Move a task into a column after afterTaskId (absent: at the top), given its version (409 version_conflict); publishes task.moved.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"taskId\":\"<uuid>\",\"columnId\":\"<uuid>\",\"afterTaskId\":\"<uuid>\",\"version\":2}"),
      json("{\"id\":\"<uuid>\",\"key\":\"WEB-12\",\"columnId\":\"<uuid>\",\"position\":1,\"version\":3,\"trackedSeconds\":0}")),
  BOARD_TASKS_DELETE("board.tasks.delete", Kind.COMMAND, "board", Browser.NONE,
      "Delete a task; publishes task.deleted.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"taskId\":\"<uuid>\"}"),
      json("{}")),
  BOARD_TASKS_LINK("board.tasks.link", Kind.COMMAND, "board", Browser.NONE,
      "Internal (integrations' git sync): link commits to the team's tasks they cite by key; a commit with close=true "
          + "moves its task to the last column of its board. Each linked task publishes task.updated with its commits "
          + "(and task.moved when closed); a commit already linked to a task is not linked twice.",
      json("{\"teamId\":\"<uuid>\",\"commits\":[{\"key\":\"WEB-12\",\"sha\":\"9fceb02\",\"message\":\"fixes WEB-12: hero\",\"author\":\"Ada\",\"url\":\"https://github.com/acme/web/commit/9fceb02\",\"at\":\"2026-01-02T09:00:00Z\",\"close\":true}]}"),
      json("{\"linked\":[{\"key\":\"WEB-12\",\"taskId\":\"<uuid>\",\"closed\":true}],\"unknownKeys\":[]}")),
  BOARD_TASKS_CHECK("board.tasks.check", Kind.COMMAND, "board", Browser.NONE,
      "Internal: a task of that team and project (404 task_not_found); timers asks before putting time on a task.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"taskId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"projectId\":\"<uuid>\"}")),
  BOARD_JOURNAL_FEED("board.journal.feed", Kind.COMMAND, "board", Browser.NONE,
      "Internal: the board journal as a feed (integrations' audit log and webhooks): its events (every stream) or "
          + "its recorded changes after a cursor, in commit-safe order; next is the cursor for the next call.",
      json("{\"of\":\"changes\",\"after\":\"7351:12\",\"limit\":500}"),
      json("{\"items\":[{\"id\":13,\"at\":\"2026-01-02T09:00:00Z\",\"teamId\":\"<uuid>\",\"actorId\":\"<uuid>\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":\"7360:13\"}")),
  BOARD_JOURNAL_READ("board.journal.read", Kind.COMMAND, "board", Browser.NONE,
      "Internal: events of one of the board streams after a seq, from the journal (the hub's gap filling and "
          + "reconnect recovery); limit 0 asks for the head only.",
      json("{\"stream\":\"team.<uuid>.board.<uuid>\",\"after\":41,\"limit\":500}"),
      json("{\"stream\":\"team.<uuid>.board.<uuid>\",\"epoch\":\"3f9a1c2e\",\"lastSeq\":42,\"events\":[{\"type\":\"task.moved\",\"seq\":42,\"epoch\":\"3f9a1c2e\"}]}")),
  TEAM_BOARD("team.{teamId}.board.{projectId}", Kind.STREAM, "board", Browser.SUBSCRIBE_TEAM_MEMBERS,
      "Live changes of a project's board: task.created, task.updated, task.moved, task.deleted (with task), columns.changed (with columns).",
      json("{\"type\":\"task.moved\",\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"task\":{\"id\":\"<uuid>\",\"key\":\"WEB-12\",\"columnId\":\"<uuid>\",\"position\":0,\"version\":3},\"ts\":1767344400000}"),
      null),
  EVENTS_TASK_ASSIGNED("events.task.assigned", Kind.EVENT, "board", Browser.NONE,
      "Internal: a task got an assignee (on create or change), for notifications.",
      json("{\"teamId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"taskId\":\"<uuid>\",\"assigneeId\":\"<uuid>\",\"byUserId\":\"<uuid>\"}"),
      null),
  // --- chat: channels, messages, read markers, typing ---------------------------------------------------------------
  CHAT_CHANNELS_CREATE("chat.channels.create", Kind.COMMAND, "chat", Browser.NONE,
      "Create a channel in a team; private ones are visible to the listed members and the creator only.",
      json("{\"teamId\":\"<uuid>\",\"name\":\"design\",\"private\":true,\"memberIds\":[\"<uuid>\"]}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"design\",\"kind\":\"private\",\"private\":true,\"memberIds\":[\"<uuid>\",\"<uuid>\"],\"createdAt\":\"2026-01-02T09:00:00Z\",\"lastMessageAt\":null,\"unreadCount\":0}")),
  CHAT_CHANNELS_LIST("chat.channels.list", Kind.COMMAND, "chat", Browser.NONE,
      "The caller's channels in a team (general, public, their private ones and DMs) with unreadCount and lastMessageAt; creates general on first use.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"general\",\"kind\":\"general\",\"private\":false,\"memberIds\":null,\"createdAt\":\"2026-01-02T09:00:00Z\",\"lastMessageAt\":\"2026-01-02T09:05:00Z\",\"unreadCount\":3}]")),
  CHAT_DMS_OPEN("chat.dms.open", Kind.COMMAND, "chat", Browser.NONE,
      "The one direct-message channel of the caller and another team member (created on first call, the same after).",
      json("{\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":null,\"kind\":\"dm\",\"private\":true,\"memberIds\":[\"<uuid>\",\"<uuid>\"],\"createdAt\":\"2026-01-02T09:00:00Z\",\"lastMessageAt\":null,\"unreadCount\":0}")),
  CHAT_POST("chat.post", Kind.COMMAND, "chat", Browser.SEND,
      "Post a message (1-4000 characters); a repeated clientMessageId of the same user and channel returns the first message.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"text\":\"Hi @Bob\",\"clientMessageId\":\"c-1\"}"),
      json("{\"id\":\"<uuid>\",\"channelId\":\"<uuid>\",\"userId\":\"<uuid>\",\"text\":\"Hi @Bob\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"editedAt\":null,\"deleted\":false,\"mentions\":[\"<uuid>\"]}")),
  CHAT_MESSAGES_LIST("chat.messages.list", Kind.COMMAND, "chat", Browser.NONE,
      "A channel's messages newest first, before a message id (cursor), at most limit (1-100, default 50); deleted ones as tombstones.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"before\":\"<uuid>\",\"limit\":50}"),
      json("{\"items\":[],\"next\":null}")),
  CHAT_MESSAGES_EDIT("chat.messages.edit", Kind.COMMAND, "chat", Browser.NONE,
      "Change a message's text (its author only).",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"messageId\":\"<uuid>\",\"text\":\"Hi @Bob!\"}"),
      json("{\"id\":\"<uuid>\",\"channelId\":\"<uuid>\",\"userId\":\"<uuid>\",\"text\":\"Hi @Bob!\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"editedAt\":\"2026-01-02T09:01:00Z\",\"deleted\":false,\"mentions\":[\"<uuid>\"]}")),
  CHAT_MESSAGES_DELETE("chat.messages.delete", Kind.COMMAND, "chat", Browser.NONE,
      "Delete a message (its author, or a team owner or admin); it stays in history as a tombstone.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"messageId\":\"<uuid>\"}"),
      json("{}")),
  CHAT_READ("chat.read", Kind.COMMAND, "chat", Browser.NONE,
      "Move the caller's read marker of a channel to a message (never backwards); answers the unread count.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"messageId\":\"<uuid>\"}"),
      json("{\"channelId\":\"<uuid>\",\"lastReadMessageId\":\"<uuid>\",\"unreadCount\":0}")),
  CHAT_TYPING("chat.typing", Kind.COMMAND, "chat", Browser.SEND,
      "Tell a channel the caller is typing: replies {} at once; at most one typing event per user and channel every 2 s, never stored.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\"}"),
      json("{}")),
  CHAT_ACCESS("chat.access", Kind.COMMAND, "chat", Browser.NONE,
      "Internal: may a user read a channel (404 channel_not_found or team_not_found if not); the bridge asks before a register.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"userId\":\"<uuid>\"}"),
      json("{\"channelId\":\"<uuid>\",\"kind\":\"public\",\"role\":\"member\"}")),
  CHAT_MESSAGES_SYSTEM("chat.messages.system", Kind.COMMAND, "chat", Browser.NONE,
      "Internal (integrations): post a message by a system author (no user; shown with authorName) to a channel of "
          + "the team; published as message.posted like any other.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"authorName\":\"GitHub\",\"text\":\"Ada pushed 3 commits to main: …\"}"),
      json("{\"id\":\"<uuid>\",\"channelId\":\"<uuid>\",\"userId\":null,\"authorName\":\"GitHub\",\"text\":\"Ada pushed 3 commits to main: …\"}")),
  CHAT_JOURNAL_FEED("chat.journal.feed", Kind.COMMAND, "chat", Browser.NONE,
      "Internal: the chat journal as a feed (integrations' audit log and webhooks): its events (every stream) or "
          + "its recorded changes after a cursor, in commit-safe order; next is the cursor for the next call.",
      json("{\"of\":\"changes\",\"after\":\"7351:12\",\"limit\":500}"),
      json("{\"items\":[{\"id\":13,\"at\":\"2026-01-02T09:00:00Z\",\"teamId\":\"<uuid>\",\"actorId\":\"<uuid>\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":\"7360:13\"}")),
  CHAT_JOURNAL_READ("chat.journal.read", Kind.COMMAND, "chat", Browser.NONE,
      "Internal: events of one chat stream after a seq, from the journal (the hub's gap filling and reconnect recovery).",
      json("{\"stream\":\"team.<uuid>.chat.<uuid>\",\"after\":41,\"limit\":500}"),
      json("{\"stream\":\"team.<uuid>.chat.<uuid>\",\"epoch\":\"3f9a1c2e\",\"lastSeq\":43,\"events\":[]}")),
  TEAM_CHAT("team.{teamId}.chat.{channelId}", Kind.STREAM, "chat", Browser.SUBSCRIBE_CHANNEL_MEMBERS,
      "Live messages of a channel: message.created, message.edited, message.deleted (journaled, with seq, and the channel's kind: general, public, private or dm) and typing (ephemeral, no seq).",
      json("{\"type\":\"message.created\",\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"channelKind\":\"public\",\"message\":{\"id\":\"<uuid>\",\"userId\":\"<uuid>\",\"text\":\"Hi\"},\"ts\":1767344400000}"),
      null),
  CHAT_MENTION("events.chat.mention", Kind.EVENT, "chat", Browser.NONE,
      "Internal: a message mentions a member (@ and their name without spaces); one event per mentioned user, for notifications.",
      json("{\"teamId\":\"<uuid>\",\"channelId\":\"<uuid>\",\"messageId\":\"<uuid>\",\"userId\":\"<uuid>\",\"authorId\":\"<uuid>\"}"),
      null),
  CHAT_PRESENCE_LIST("chat.presence.list", Kind.COMMAND, "chat", Browser.NONE,
      "The team's members with their presence: online while a bridge socket of theirs is open on any node, offline "
          + "once the last one has been closed for the grace period.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"userId\":\"<uuid>\",\"name\":\"Bob\",\"status\":\"online\",\"since\":\"2026-01-02T09:00:00Z\"}]")),
  TEAM_PRESENCE("team.{teamId}.presence", Kind.STREAM, "chat", Browser.SUBSCRIBE_TEAM_MEMBERS,
      "Presence of a team's members: one presence event per change of a member to online or offline (ephemeral, no seq).",
      json("{\"type\":\"presence\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"status\":\"online\",\"ts\":1767344400000}"),
      null),

  // --- billing: clients, invoices, payments (the billing verticle adds its commands here) ---------------------------
  BILLING_CLIENTS_CHECK("billing.clients.check", Kind.COMMAND, "billing", Browser.NONE,
      "Internal: a client of that team (404 client_not_found); workspace asks before linking a project to it.",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"name\":\"Globex\",\"currency\":\"EUR\"}")),
  BILLING_INVOICES_DOCUMENT("billing.invoices.document", Kind.COMMAND, "billing", Browser.NONE,
      "Internal: an invoice and its PDF (base64) for the mail to the client.",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{\"invoice\":{\"id\":\"<uuid>\",\"number\":\"INV-2026-0001\"},\"filename\":\"INV-2026-0001.pdf\",\"contentType\":\"application/pdf\",\"pdf\":\"JVBERi0x...\"}")),
  BILLING_JOURNAL_FEED("billing.journal.feed", Kind.COMMAND, "billing", Browser.NONE,
      "Internal: the billing journal as a feed (integrations' audit log and webhooks): its events (every stream) or "
          + "its recorded changes after a cursor, in commit-safe order; next is the cursor for the next call.",
      json("{\"of\":\"changes\",\"after\":\"7351:12\",\"limit\":500}"),
      json("{\"items\":[{\"id\":13,\"at\":\"2026-01-02T09:00:00Z\",\"teamId\":\"<uuid>\",\"actorId\":\"<uuid>\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":\"7360:13\"}")),
  BILLING_JOURNAL_READ("billing.journal.read", Kind.COMMAND, "billing", Browser.NONE,
      "Internal: events of a billing stream (team.{teamId}.billing, events.invoice.issued, events.invoice.overdue) after a seq, from the journal.",
      json("{\"stream\":\"events.invoice.overdue\",\"after\":41,\"limit\":500}"),
      json("{\"stream\":\"events.invoice.overdue\",\"epoch\":\"3f9a1c2e\",\"lastSeq\":42,\"events\":[]}")),
  TEAM_BILLING("team.{teamId}.billing", Kind.STREAM, "billing", Browser.SUBSCRIBE_TEAM_ADMINS,
      "Live invoice changes of a team, for its owners and admins: invoice.created, invoice.issued, invoice.paid, invoice.overdue, invoice.voided, invoice.deleted.",
      json("{\"type\":\"invoice.issued\",\"teamId\":\"<uuid>\",\"invoice\":{\"id\":\"<uuid>\",\"number\":\"INV-2026-0001\",\"status\":\"issued\",\"total\":\"1190.00\",\"currency\":\"EUR\"},\"ts\":1767344400000}"),
      null),
  EVENTS_INVOICE_ISSUED("events.invoice.issued", Kind.EVENT, "billing", Browser.NONE,
      "Internal, journaled (one global stream, read with billing.journal.read): an invoice was issued; notifications mails it to the client.",
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"byUserId\":\"<uuid>\",\"invoice\":{\"id\":\"<uuid>\",\"number\":\"INV-2026-0001\",\"clientId\":\"<uuid>\",\"clientName\":\"Globex\",\"clientEmail\":\"ap@globex.example\",\"total\":\"1190.00\",\"currency\":\"EUR\",\"issuedAt\":\"2026-01-02T09:00:00Z\",\"dueAt\":\"2026-01-16T09:00:00Z\"}}"),
      null),
  EVENTS_INVOICE_OVERDUE("events.invoice.overdue", Kind.EVENT, "billing", Browser.NONE,
      "Internal, journaled (one global stream): an issued, unpaid invoice passed its due date; emitted once per invoice.",
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"invoice\":{\"id\":\"<uuid>\",\"number\":\"INV-2026-0001\",\"clientName\":\"Globex\",\"total\":\"1190.00\",\"currency\":\"EUR\",\"dueAt\":\"2026-01-16T09:00:00Z\"}}"),
      null),
  BILLING_CLIENTS_CREATE("billing.clients.create", Kind.COMMAND, "billing", Browser.NONE,
      "Create a client of the team (owner/admin; 409 client_name_taken).",
      json("{\"teamId\":\"<uuid>\",\"name\":\"Globex\",\"email\":\"ap@globex.example\",\"currency\":\"EUR\",\"taxRatePercent\":\"19\",\"paymentTermsDays\":14}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Globex\",\"email\":\"ap@globex.example\",\"address\":null,\"currency\":\"EUR\",\"taxRatePercent\":\"19.00\",\"paymentTermsDays\":14}")),
  BILLING_CLIENTS_LIST("billing.clients.list", Kind.COMMAND, "billing", Browser.NONE,
      "The clients of a team, by name (owner/admin).",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Globex\",\"email\":\"ap@globex.example\",\"address\":null,\"currency\":\"EUR\",\"taxRatePercent\":\"19.00\",\"paymentTermsDays\":14}]")),
  BILLING_CLIENTS_GET("billing.clients.get", Kind.COMMAND, "billing", Browser.NONE,
      "One client (owner/admin; 404 client_not_found).",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Globex\",\"email\":\"ap@globex.example\",\"address\":null,\"currency\":\"EUR\",\"taxRatePercent\":\"19.00\",\"paymentTermsDays\":14}")),
  BILLING_CLIENTS_UPDATE("billing.clients.update", Kind.COMMAND, "billing", Browser.NONE,
      "Change a client's name, email, address, currency, taxRatePercent or paymentTermsDays (owner/admin); drafts and invoices keep what they copied.",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"paymentTermsDays\":30}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"name\":\"Globex\",\"email\":\"ap@globex.example\",\"address\":null,\"currency\":\"EUR\",\"taxRatePercent\":\"19.00\",\"paymentTermsDays\":14}")),
  BILLING_CLIENTS_UNBILLED("billing.clients.unbilled", Kind.COMMAND, "billing", Browser.NONE,
      "The client's unbilled time and its price: stopped, uninvoiced entries plus running timers up to now, without rounding (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\"}"),
      json("{\"seconds\":5400,\"amount\":\"150.00\",\"currency\":\"EUR\",\"unpricedSeconds\":0}")),
  BILLING_SETTINGS_GET("billing.settings.get", Kind.COMMAND, "billing", Browser.NONE,
      "A team's billing settings: invoice number pattern, seller address and tax id (owner/admin).",
      json("{\"teamId\":\"<uuid>\"}"),
      json("{\"teamId\":\"<uuid>\",\"invoiceNumberPattern\":\"INV-{yyyy}-{seq:4}\",\"sellerAddress\":null,\"sellerTaxId\":null}")),
  BILLING_SETTINGS_SET("billing.settings.set", Kind.COMMAND, "billing", Browser.NONE,
      "Change a team's billing settings (owner/admin); the pattern must contain {seq}.",
      json("{\"teamId\":\"<uuid>\",\"invoiceNumberPattern\":\"ACME-{seq:5}\",\"sellerAddress\":\"1 Main St\",\"sellerTaxId\":\"DE123\"}"),
      json("{\"teamId\":\"<uuid>\",\"invoiceNumberPattern\":\"ACME-{seq:5}\",\"sellerAddress\":\"1 Main St\",\"sellerTaxId\":\"DE123\"}")),
  BILLING_INVOICES_CREATE("billing.invoices.create", Kind.COMMAND, "billing", Browser.NONE,
      "Make a draft from the client's stopped, uninvoiced entries in [from, to), claimed from timers (owner/admin; 422 nothing_to_invoice, rate_missing, currency_mismatch).",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\",\"rounding\":{\"minutes\":15,\"mode\":\"up\"},\"groupBy\":\"project\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"status\":\"draft\",\"number\":null,\"currency\":\"EUR\",\"subtotal\":\"1000.00\",\"tax\":\"190.00\",\"total\":\"1190.00\",\"due\":\"1190.00\",\"overdue\":false}")),
  BILLING_INVOICES_PREVIEW("billing.invoices.preview", Kind.COMMAND, "billing", Browser.NONE,
      "What billing.invoices.create would bill now, without saving or claiming anything (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\",\"rounding\":{\"minutes\":15,\"mode\":\"up\"},\"groupBy\":\"project\"}"),
      json("{\"currency\":\"EUR\",\"lines\":[],\"subtotal\":\"1000.00\",\"tax\":\"190.00\",\"total\":\"1190.00\",\"entries\":3}")),
  BILLING_INVOICES_LIST("billing.invoices.list", Kind.COMMAND, "billing", Browser.NONE,
      "Invoices of a team, newest first, paginated; filter by status and clientId (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"status\":\"issued\",\"clientId\":\"<uuid>\",\"limit\":50,\"cursor\":null}"),
      json("{\"items\":[],\"next\":null}")),
  BILLING_INVOICES_GET("billing.invoices.get", Kind.COMMAND, "billing", Browser.NONE,
      "One invoice with its lines and payments (owner/admin; 404 invoice_not_found).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"status\":\"draft\",\"number\":null,\"currency\":\"EUR\",\"subtotal\":\"1000.00\",\"tax\":\"190.00\",\"total\":\"1190.00\",\"due\":\"1190.00\",\"overdue\":false}")),
  BILLING_INVOICES_DELETE("billing.invoices.delete", Kind.COMMAND, "billing", Browser.NONE,
      "Delete a draft and release its entries (owner/admin; 409 invoice_state if not a draft).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{}")),
  BILLING_INVOICES_ISSUE("billing.invoices.issue", Kind.COMMAND, "billing", Browser.NONE,
      "Issue a draft: the next number of the team's gapless counter, issuedAt now, dueAt after the payment terms (owner/admin; 409 invoice_state).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"status\":\"issued\",\"number\":null,\"currency\":\"EUR\",\"subtotal\":\"1000.00\",\"tax\":\"190.00\",\"total\":\"1190.00\",\"due\":\"1190.00\",\"overdue\":false}")),
  BILLING_INVOICES_PAY("billing.invoices.pay", Kind.COMMAND, "billing", Browser.NONE,
      "Record a payment on an issued invoice; fully paid makes it paid (owner/admin; 422 overpayment, 409 invoice_state).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\",\"amount\":\"1190.00\",\"paidAt\":\"2026-01-10T09:00:00Z\",\"note\":\"wire\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"status\":\"paid\",\"number\":null,\"currency\":\"EUR\",\"subtotal\":\"1000.00\",\"tax\":\"190.00\",\"total\":\"1190.00\",\"due\":\"1190.00\",\"overdue\":false}")),
  BILLING_INVOICES_VOID("billing.invoices.void", Kind.COMMAND, "billing", Browser.NONE,
      "Void an issued invoice and release its entries; repeating it is harmless (owner/admin; 409 invoice_state for drafts and paid ones).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"clientId\":\"<uuid>\",\"status\":\"void\",\"number\":null,\"currency\":\"EUR\",\"subtotal\":\"1000.00\",\"tax\":\"190.00\",\"total\":\"1190.00\",\"due\":\"1190.00\",\"overdue\":false}")),
  BILLING_INVOICES_PDF("billing.invoices.pdf", Kind.COMMAND, "billing", Browser.NONE,
      "An invoice as PDF (base64), for the api's download route (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"invoiceId\":\"<uuid>\"}"),
      json("{\"filename\":\"INV-2026-0001.pdf\",\"contentType\":\"application/pdf\",\"pdf\":\"JVBERi0x...\"}")),

  // --- notifications: in-app and email (the notifications verticle adds its commands here) ---------------------------
  NOTIFICATIONS_JOURNAL_READ("notifications.journal.read", Kind.COMMAND, "notifications", Browser.NONE,
      "Internal: events of a user's notifications stream after a seq, from the journal.",
      json("{\"stream\":\"user.<uuid>.notifications\",\"after\":41,\"limit\":500}"),
      json("{\"stream\":\"user.<uuid>.notifications\",\"epoch\":\"3f9a1c2e\",\"lastSeq\":42,\"events\":[]}")),
  USER_NOTIFICATIONS("user.{userId}.notifications", Kind.STREAM, "notifications", Browser.SUBSCRIBE_SELF,
      "The caller's notifications as they arrive (notification.created, notification.read, notifications.read-all) with the unread count.",
      json("{\"type\":\"notification.created\",\"notification\":{\"id\":\"<uuid>\",\"kind\":\"mention\",\"title\":\"Ada mentioned you in #general\",\"readAt\":null},\"unread\":3,\"ts\":1767344400000}"),
      null),
  NOTIFICATIONS_LIST("notifications.list", Kind.COMMAND, "notifications", Browser.NONE,
      "The caller's notifications newest first, paginated (limit 1-100, default 20; cursor: the previous page's next), only unread ones with unread=true; with the unread count and each one's email status.",
      json("{\"unread\":true,\"limit\":20,\"cursor\":\"<uuid>\"}"),
      json("{\"items\":[{\"id\":\"<uuid>\",\"kind\":\"mention\",\"teamId\":\"<uuid>\",\"title\":\"Ada mentioned you in #general\",\"body\":\"hi @Bob\",\"link\":\"http://localhost:8080/#/teams/<uuid>/channels/<uuid>?message=<uuid>\",\"data\":{},\"createdAt\":\"2026-01-02T09:00:00Z\",\"readAt\":null,\"email\":{\"status\":\"sent\"}}],\"next\":null,\"unread\":1}")),
  NOTIFICATIONS_READ("notifications.read", Kind.COMMAND, "notifications", Browser.NONE,
      "Mark one of the caller's notifications read (404 notification_not_found for any other id); publishes notification.read.",
      json("{\"id\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"kind\":\"mention\",\"teamId\":\"<uuid>\",\"title\":\"Ada mentioned you in #general\",\"body\":\"hi @Bob\",\"link\":\"http://localhost:8080/#/teams/<uuid>/channels/<uuid>?message=<uuid>\",\"data\":{},\"createdAt\":\"2026-01-02T09:00:00Z\",\"readAt\":null,\"email\":{\"status\":\"sent\"}}")),
  NOTIFICATIONS_READ_ALL("notifications.read-all", Kind.COMMAND, "notifications", Browser.NONE,
      "Mark all the caller's notifications read; publishes notifications.read-all when any was unread.",
      json("{}"),
      json("{\"marked\":3,\"unread\":0}")),
  NOTIFICATIONS_SETTINGS_GET("notifications.settings.get", Kind.COMMAND, "notifications", Browser.NONE,
      "The caller's email settings per kind (all on by default) and whether this installation sends email at all.",
      json("{}"),
      json("{\"email\":{\"invoice_issued\":true,\"invoice_overdue\":true,\"mention\":true,\"task_assigned\":false,\"timer_forgotten\":true,\"webhook_disabled\":true},\"emailEnabled\":true}")),
  NOTIFICATIONS_SETTINGS_UPDATE("notifications.settings.update", Kind.COMMAND, "notifications", Browser.NONE,
      "Turn email per kind on or off (400 validation_failed for an unknown kind or a non-boolean); the kinds not given stay.",
      json("{\"email\":{\"task_assigned\":false}}"),
      json("{\"email\":{\"invoice_issued\":true,\"invoice_overdue\":true,\"mention\":true,\"task_assigned\":false,\"timer_forgotten\":true,\"webhook_disabled\":true},\"emailEnabled\":true}")),

  // --- integrations: git sync, outgoing webhooks, the audit log -------------------------------------------------------
  INTEGRATIONS_JOURNAL_FEED("integrations.journal.feed", Kind.COMMAND, "integrations", Browser.NONE,
      "Internal: the integrations journal as a feed (integrations' audit log and webhooks): its events (every stream) or "
          + "its recorded changes after a cursor, in commit-safe order; next is the cursor for the next call.",
      json("{\"of\":\"changes\",\"after\":\"7351:12\",\"limit\":500}"),
      json("{\"items\":[{\"id\":13,\"at\":\"2026-01-02T09:00:00Z\",\"teamId\":\"<uuid>\",\"actorId\":\"<uuid>\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":\"7360:13\"}")),
  INTEGRATIONS_JOURNAL_READ("integrations.journal.read", Kind.COMMAND, "integrations", Browser.NONE,
      "Internal: events of one of the integrations streams after a seq, from the journal (notifications reads "
          + "events.webhook.disabled this way).",
      json("{\"stream\":\"events.webhook.disabled\",\"after\":41,\"limit\":500}"),
      json("{\"stream\":\"events.webhook.disabled\",\"epoch\":\"3f9a1c2e\",\"lastSeq\":42,\"events\":[]}")),
  INTEGRATIONS_GIT_CREATE("integrations.git.create", Kind.COMMAND, "integrations", Browser.NONE,
      "Link a GitHub or GitLab repository (owner/admin): the reply holds the URL to give the provider and the secret "
          + "(shown once); with channelId, pushes are summarised in that channel.",
      json("{\"teamId\":\"<uuid>\",\"provider\":\"github\",\"channelId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"provider\":\"github\",\"channelId\":\"<uuid>\",\"webhookUrl\":\"http://localhost:8080/hooks/git/<uuid>\",\"secret\":\"2b7e1516…\",\"createdAt\":\"2026-01-02T09:00:00Z\"}")),
  INTEGRATIONS_GIT_LIST("integrations.git.list", Kind.COMMAND, "integrations", Browser.NONE,
      "The team's git integrations (owner/admin), without their secrets.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"provider\":\"github\",\"channelId\":null,\"webhookUrl\":\"http://localhost:8080/hooks/git/<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"lastDeliveryAt\":null}]")),
  INTEGRATIONS_GIT_DELETE("integrations.git.delete", Kind.COMMAND, "integrations", Browser.NONE,
      "Remove a git integration (owner/admin); its URL answers 404 from then on.",
      json("{\"teamId\":\"<uuid>\",\"integrationId\":\"<uuid>\"}"),
      json("{}")),
  INTEGRATIONS_GIT_HOOK("integrations.git.hook", Kind.COMMAND, "integrations", Browser.NONE,
      "Internal (the api's POST /hooks/git/{integrationId}): a provider's delivery with its headers (lower-case names) "
          + "and raw body; 401 invalid_signature when the signature or token is wrong; a repeated delivery id is "
          + "acknowledged and ignored.",
      json("{\"integrationId\":\"<uuid>\",\"headers\":{\"x-github-event\":\"push\",\"x-github-delivery\":\"<uuid>\",\"x-hub-signature-256\":\"sha256=…\"},\"body\":\"{…}\"}"),
      json("{\"status\":\"processed\",\"linked\":2}")),
  INTEGRATIONS_WEBHOOKS_CREATE("integrations.webhooks.create", Kind.COMMAND, "integrations", Browser.NONE,
      "Register an outgoing webhook (owner/admin) for some event types or [\"*\"]; without secret one is generated "
          + "and shown once. 422 url_not_allowed for a non-http(s) URL or a private address not allowed.",
      json("{\"teamId\":\"<uuid>\",\"url\":\"https://hooks.example.com/trcr\",\"events\":[\"timer.started\",\"invoice.overdue\"]}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"url\":\"https://hooks.example.com/trcr\",\"events\":[\"timer.started\",\"invoice.overdue\"],\"enabled\":true,\"consecutiveFailures\":0,\"disabledAt\":null,\"createdBy\":\"<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"updatedAt\":\"2026-01-02T09:00:00Z\",\"secret\":\"whsec_…\"}")),
  INTEGRATIONS_WEBHOOKS_LIST("integrations.webhooks.list", Kind.COMMAND, "integrations", Browser.NONE,
      "The team's webhooks (owner/admin), without secrets.",
      json("{\"teamId\":\"<uuid>\"}"),
      array("[{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"url\":\"https://hooks.example.com/trcr\",\"events\":[\"*\"],\"enabled\":true,\"consecutiveFailures\":0,\"disabledAt\":null,\"createdBy\":\"<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"updatedAt\":\"2026-01-02T09:00:00Z\"}]")),
  INTEGRATIONS_WEBHOOKS_GET("integrations.webhooks.get", Kind.COMMAND, "integrations", Browser.NONE,
      "One webhook (owner/admin), without its secret.",
      json("{\"teamId\":\"<uuid>\",\"webhookId\":\"<uuid>\"}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"url\":\"https://hooks.example.com/trcr\",\"events\":[\"*\"],\"enabled\":true,\"consecutiveFailures\":0,\"disabledAt\":null,\"createdBy\":\"<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"updatedAt\":\"2026-01-02T09:00:00Z\"}")),
  INTEGRATIONS_WEBHOOKS_UPDATE("integrations.webhooks.update", Kind.COMMAND, "integrations", Browser.NONE,
      "Change a webhook's url, events, secret or enabled (enabled=true re-enables a disabled one and resets its failures); "
          + "the reply shows the secret only when it was changed.",
      json("{\"teamId\":\"<uuid>\",\"webhookId\":\"<uuid>\",\"enabled\":true}"),
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"url\":\"https://hooks.example.com/trcr\",\"events\":[\"*\"],\"enabled\":true,\"consecutiveFailures\":0,\"disabledAt\":null,\"createdBy\":\"<uuid>\",\"createdAt\":\"2026-01-02T09:00:00Z\",\"updatedAt\":\"2026-01-02T09:00:00Z\"}")),
  INTEGRATIONS_WEBHOOKS_DELETE("integrations.webhooks.delete", Kind.COMMAND, "integrations", Browser.NONE,
      "Delete a webhook and its pending deliveries (owner/admin).",
      json("{\"teamId\":\"<uuid>\",\"webhookId\":\"<uuid>\"}"),
      json("{}")),
  INTEGRATIONS_WEBHOOKS_DELIVERIES("integrations.webhooks.deliveries", Kind.COMMAND, "integrations", Browser.NONE,
      "A webhook's recent deliveries, newest first, paginated (limit 1-100, default 20; cursor = a previous next).",
      json("{\"teamId\":\"<uuid>\",\"webhookId\":\"<uuid>\",\"limit\":20}"),
      json("{\"items\":[{\"id\":\"<uuid>\",\"event\":\"timer.started\",\"status\":\"delivered\",\"attempts\":1,\"responseCode\":200,\"lastError\":null,\"createdAt\":\"2026-01-02T09:00:00Z\",\"lastAttemptAt\":\"2026-01-02T09:00:00Z\",\"nextAttemptAt\":null,\"deliveredAt\":\"2026-01-02T09:00:00Z\"}],\"next\":null}")),
  INTEGRATIONS_AUDIT_LIST("integrations.audit.list", Kind.COMMAND, "integrations", Browser.NONE,
      "The team's audit log, newest first (owner/admin), filtered by from/to (instants), actorId and entity, paginated "
          + "(limit 1-1000, default 50).",
      json("{\"teamId\":\"<uuid>\",\"from\":\"2026-01-01T00:00:00Z\",\"entity\":\"time_entry\",\"limit\":50}"),
      json("{\"items\":[{\"id\":\"<uuid>\",\"at\":\"2026-01-02T09:00:00Z\",\"actorId\":\"<uuid>\",\"actorName\":\"Ada\",\"origin\":\"rest\",\"requestId\":\"<uuid>\",\"entity\":\"time_entry\",\"entityId\":\"<uuid>\",\"action\":\"updated\",\"changes\":{\"description\":{\"before\":\"a\",\"after\":\"b\"}}}],\"next\":null}")),
  EVENTS_WEBHOOK_DISABLED("events.webhook.disabled", Kind.EVENT, "integrations", Browser.NONE,
      "Internal: a webhook was disabled after a run of failed deliveries, for notifications (the team's owners).",
      json("{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"webhookId\":\"<uuid>\",\"url\":\"https://hooks.example.com/trcr\",\"failures\":20,\"lastError\":\"HTTP 500\"}"),
      null),

  // --- browser-facing streams ---------------------------------------------------------------------------------------
  TEAM_TIMERS("team.{teamId}.timers", Kind.STREAM, "timers", Browser.SUBSCRIBE_TEAM_MEMBERS,
      "Live timer and time-entry changes of a team: timer.started, timer.stopped, entry.created, entry.updated, entry.deleted.",
      json("{\"type\":\"timer.started\",\"teamId\":\"<uuid>\",\"entry\":{\"id\":\"<uuid>\",\"teamId\":\"<uuid>\",\"userId\":\"<uuid>\",\"projectId\":\"<uuid>\",\"description\":\"Landing page\",\"startedAt\":\"2026-01-02T09:00:00Z\",\"stoppedAt\":null,\"durationSeconds\":null,\"user\":{\"id\":\"<uuid>\",\"name\":\"Bob\"}},\"ts\":1767344400000}"),
      null),
  USER_TIMERS("user.{userId}.timers", Kind.STREAM, "timers", Browser.SUBSCRIBE_SELF,
      "The caller's own timer.started and timer.stopped events, whichever team they happen in (the app's header timer).",
      json("{\"type\":\"timer.started\",\"teamId\":\"<uuid>\",\"entry\":{\"id\":\"<uuid>\",\"userId\":\"<uuid>\",\"stoppedAt\":null},\"ts\":1767344400000}"),
      null),

  // --- internal events ----------------------------------------------------------------------------------------------
  BRIDGE_USER_EVENTS("bridge.user-events", Kind.EVENT, "bridge", Browser.NONE,
      "Internal: carries every per-user stream event ({address, body}) to each node's bridge, which delivers it to its "
          + "local subscribers of that address. Keeps cluster registrations independent of the number of users.",
      json("{\"address\":\"user.<uuid>.timers\",\"body\":{\"type\":\"timer.started\"}}"),
      null),
  BRIDGE_PRESENCE("bridge.presence", Kind.EVENT, "bridge", Browser.NONE,
      "Internal: the users with an authenticated socket on one bridge node: the changes as they happen ({nodeId, "
          + "online, offline}) and the whole set ({nodeId, snapshot:true, users}) every TRCR_PRESENCE_HEARTBEAT_MS; "
          + "every chat instance aggregates them into presence.",
      json("{\"nodeId\":\"<uuid>\",\"online\":[\"<uuid>\"],\"offline\":[],\"ts\":1767344400000}"),
      null),
  WORKSPACE_TOKENS_REVOKED("workspace.tokens-revoked", Kind.EVENT, "workspace", Browser.NONE,
      "Internal: the user's tokens older than version are revoked (logout, password change). Every edge raises its "
          + "cached version at once; the bridge closes that user's sockets whose token is older (4401).",
      json("{\"userId\":\"<uuid>\",\"version\":3}"),
      null);

  /** What an address is for. */
  public enum Kind {
    /** Point-to-point request/reply; one instance in the cluster handles each message. */
    COMMAND,
    /** Published to every subscriber; browsers may subscribe where {@link Browser} allows. */
    STREAM,
    /** Published between verticles only; never seen by a browser. */
    EVENT
  }

  /** What a browser (through the bridge) may do with an address. */
  public enum Browser {
    /** Nothing: internal. */
    NONE,
    /** Send a command and get its reply. */
    SEND,
    /** Subscribe, if a member of the team named in the address. */
    SUBSCRIBE_TEAM_MEMBERS,
    /** Subscribe, if an owner or admin of the team named in the address. */
    SUBSCRIBE_TEAM_ADMINS,
    /** Subscribe, if the user named in the address. Delivered through {@link #BRIDGE_USER_EVENTS}. */
    SUBSCRIBE_SELF,
    /** Subscribe, if the owner's {@code <owner>.access} command admits the user to the channel named in the address. */
    SUBSCRIBE_CHANNEL_MEMBERS
  }

  private static final String UUID_RE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

  private final String template;
  private final Kind kind;
  private final String owner;
  private final Browser browser;
  private final String description;
  private final Object example;
  private final Object exampleReply;
  private final Pattern pattern;

  Address(String template, Kind kind, String owner, Browser browser, String description, Object example,
          Object exampleReply) {
    this.template = template;
    this.kind = kind;
    this.owner = owner;
    this.browser = browser;
    this.description = description;
    this.example = example;
    this.exampleReply = exampleReply;
    this.pattern = Pattern.compile(Pattern.quote(template).replaceAll("\\{[a-zA-Z]+}", "\\\\E(" + UUID_RE + ")\\\\Q"));
  }

  /** The literal address of a fixed address. */
  public String address() {
    if (template.contains("{")) {
      throw new IllegalStateException(template + " needs parameters");
    }
    return template;
  }

  /** The concrete address of a parameterised one, e.g. {@code TEAM_TIMERS.address(teamId)}; ids in template order. */
  public String address(Object... ids) {
    String concrete = template;
    for (Object id : ids) {
      concrete = concrete.replaceFirst("\\{[a-zA-Z]+}", id.toString());
    }
    return concrete;
  }

  public String template() {
    return template;
  }

  public Kind kind() {
    return kind;
  }

  /** The verticle that consumes a command, or publishes a stream. */
  public String owner() {
    return owner;
  }

  public Browser browser() {
    return browser;
  }

  public String description() {
    return description;
  }

  public Object example() {
    return example;
  }

  public Object exampleReply() {
    return exampleReply;
  }

  /**
   * The command that reads this stream's journal: {@code <owner>.journal.read}. Journaled internal events (one global
   * stream each, like {@code events.invoice.overdue}) are read the same way by the verticles that must not miss one.
   */
  public Address journalReader() {
    if (kind == Kind.COMMAND) {
      throw new IllegalStateException(this + " is not a stream");
    }
    return valueOf(owner.toUpperCase(java.util.Locale.ROOT) + "_JOURNAL_READ");
  }

  /** The command that admits users to a channel stream: {@code <owner>.access} ({@code {teamId, channelId, userId}}). */
  public Address accessCheck() {
    if (browser != Browser.SUBSCRIBE_CHANNEL_MEMBERS) {
      throw new IllegalStateException(this + " is not a channel stream");
    }
    return valueOf(owner.toUpperCase(java.util.Locale.ROOT) + "_ACCESS");
  }

  /**
   * The first id (team or user) in a concrete address of this template, if it matches: templates name the team or
   * user that grants access first ({@code team.{teamId}.board.{projectId}}).
   */
  public Optional<String> idOf(String concrete) {
    var m = pattern.matcher(concrete);
    return m.matches() && m.groupCount() >= 1 ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Every id in a concrete address of this template, in template order, if it matches. */
  public Optional<java.util.List<String>> idsOf(String concrete) {
    var m = pattern.matcher(concrete);
    if (!m.matches()) {
      return Optional.empty();
    }
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 1; i <= m.groupCount(); i++) {
      ids.add(m.group(i));
    }
    return Optional.of(ids);
  }

  /** The catalogue entry of a concrete address, if any. */
  public static Optional<Address> of(String concrete) {
    return Arrays.stream(values()).filter(a -> a.pattern.matcher(concrete).matches()).findFirst();
  }

  private static JsonObject json(String s) {
    return new JsonObject(s);
  }

  private static JsonArray array(String s) {
    return new JsonArray(s);
  }
}
