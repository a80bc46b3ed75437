-- Shulian city hub, schema version 4: catalog registration and review (目录动态更新).
-- Runs unchanged on H2 (embedded default) and PostgreSQL. One state machine:
-- PENDING -> APPROVED (with the bundle version that carries it) | REJECTED (with a reason).
-- A row never leaves a final state. token_id is the signed submission's jti: a token is stored once.
-- document is the signed resource document (register), token the whole signed submission (evidence).

CREATE TABLE hub_submissions (
  id             VARCHAR(48)              NOT NULL,
  token_id       VARCHAR(64)              NOT NULL,
  party          VARCHAR(256)             NOT NULL,
  action         VARCHAR(16)              NOT NULL,
  resource       VARCHAR(128)             NOT NULL,
  document       VARCHAR(262144),
  token          VARCHAR(262144)          NOT NULL,
  suite          VARCHAR(8)               NOT NULL,
  base_version   BIGINT                   NOT NULL,
  base_hash      VARCHAR(80)              NOT NULL,
  state          VARCHAR(16)              NOT NULL,
  submitted_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  decided_at     TIMESTAMP WITH TIME ZONE,
  decided_by     VARCHAR(128),
  reason         VARCHAR(2000),
  bundle_version BIGINT,
  CONSTRAINT pk_hub_submissions PRIMARY KEY (id),
  CONSTRAINT uq_hub_submissions_token UNIQUE (token_id),
  CONSTRAINT ck_hub_submissions_state CHECK (state IN ('PENDING', 'APPROVED', 'REJECTED')),
  CONSTRAINT ck_hub_submissions_action CHECK (action IN ('REGISTER', 'WITHDRAW'))
);
CREATE INDEX ix_hub_submissions_party ON hub_submissions (party, state);
CREATE INDEX ix_hub_submissions_state ON hub_submissions (state, submitted_at);
