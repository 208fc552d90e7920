-- The billing verticle owns clients, invoices, their lines and payments, and each team's invoice counter. team_id,
-- user ids, project ids and time entry ids refer to other verticles' rows by id only (no cross-schema keys).

CREATE TABLE billing.clients (
  id                 uuid PRIMARY KEY,
  team_id            uuid        NOT NULL,
  name               text        NOT NULL,
  email              text        NOT NULL,
  address            text,
  currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  tax_rate           numeric     NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate <= 100),
  payment_terms_days integer     NOT NULL DEFAULT 14 CHECK (payment_terms_days >= 0),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX clients_team_name_key ON billing.clients (team_id, lower(name));

-- A team's settings and its invoice counter. Issuing raises last_number in the transaction that sets the invoice's
-- number and status: the row stays locked until commit, so concurrent issues of one team run one after another and
-- a rolled-back issue gives its number back. Numbers are therefore gapless and never repeat.
CREATE TABLE billing.teams (
  team_id        uuid PRIMARY KEY,
  number_pattern text        NOT NULL DEFAULT 'INV-{yyyy}-{seq:4}',
  seller_address text,
  seller_tax_id  text,
  last_number    bigint      NOT NULL DEFAULT 0 CHECK (last_number >= 0),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Money is numeric (exact); amounts are stored at the currency's minor unit. The client's name, email, address,
-- currency, tax rate and payment terms are copied when the draft is made: an invoice does not change when the client
-- does.
CREATE TABLE billing.invoices (
  id                 uuid PRIMARY KEY,
  team_id            uuid        NOT NULL,
  client_id          uuid        NOT NULL REFERENCES billing.clients (id),
  status             text        NOT NULL CHECK (status IN ('draft', 'issued', 'paid', 'void')),
  number             text,
  seq                bigint,
  period_from        timestamptz NOT NULL,
  period_to          timestamptz NOT NULL,
  group_by           text        NOT NULL,
  rounding_minutes   integer     NOT NULL DEFAULT 0,
  rounding_mode      text        NOT NULL DEFAULT 'up',
  notes              text,
  client_name        text        NOT NULL,
  client_email       text        NOT NULL,
  client_address     text,
  currency           text        NOT NULL,
  tax_rate           numeric     NOT NULL,
  payment_terms_days integer     NOT NULL,
  subtotal           numeric     NOT NULL DEFAULT 0,
  tax                numeric     NOT NULL DEFAULT 0,
  total              numeric     NOT NULL DEFAULT 0,
  paid               numeric     NOT NULL DEFAULT 0,
  created_by         uuid        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  issued_at          timestamptz,
  due_at             timestamptz,
  overdue_at         timestamptz,
  paid_at            timestamptz,
  voided_at          timestamptz,
  CONSTRAINT invoices_team_number_key UNIQUE (team_id, number),
  CONSTRAINT invoices_team_seq_key UNIQUE (team_id, seq),
  CONSTRAINT invoices_issued_numbered CHECK (status = 'draft' OR (number IS NOT NULL AND issued_at IS NOT NULL))
);
CREATE INDEX invoices_team_created_idx ON billing.invoices (team_id, created_at DESC, id DESC);
-- the overdue job's scan
CREATE INDEX invoices_due_idx ON billing.invoices (due_at) WHERE status = 'issued' AND overdue_at IS NULL;

CREATE TABLE billing.invoice_lines (
  invoice_id  uuid    NOT NULL REFERENCES billing.invoices (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  description text    NOT NULL,
  project_id  uuid    NOT NULL,
  task_id     uuid,
  user_id     uuid,
  seconds     bigint  NOT NULL CHECK (seconds >= 0),
  rate        numeric NOT NULL,
  amount      numeric NOT NULL,
  PRIMARY KEY (invoice_id, position)
);

-- Which time entries an invoice bills. An entry is on at most one live (draft, issued or paid) invoice: voiding clears
-- active, deleting a draft deletes its rows, and the partial unique index refuses a second live row for an entry even
-- if timers' own claim were bypassed.
CREATE TABLE billing.invoice_entries (
  entry_id   uuid    NOT NULL,
  invoice_id uuid    NOT NULL REFERENCES billing.invoices (id) ON DELETE CASCADE,
  active     boolean NOT NULL DEFAULT true,
  PRIMARY KEY (invoice_id, entry_id)
);
CREATE UNIQUE INDEX invoice_entries_live_key ON billing.invoice_entries (entry_id) WHERE active;

CREATE TABLE billing.payments (
  id         uuid PRIMARY KEY,
  invoice_id uuid        NOT NULL REFERENCES billing.invoices (id),
  amount     numeric     NOT NULL CHECK (amount > 0),
  paid_at    timestamptz NOT NULL,
  note       text,
  created_by uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_invoice_idx ON billing.payments (invoice_id);
