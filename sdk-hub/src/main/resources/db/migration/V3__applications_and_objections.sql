-- Shulian city hub, schema version 3: sharing applications (共享申请) and data objections (数据校核).
-- Runs unchanged on H2 (embedded default) and PostgreSQL. Both follow one state machine:
-- SUBMITTED -> APPROVED | DECLINED | WITHDRAWN | EXPIRED (applications),
-- SUBMITTED -> CORRECTED | REJECTED | WITHDRAWN (objections). answered_at is set on the one
-- transition out of SUBMITTED; a row never leaves a final state.

CREATE TABLE hub_applications (
  id            VARCHAR(48)              NOT NULL,
  consumer      VARCHAR(256)             NOT NULL,
  provider      VARCHAR(256)             NOT NULL,
  resource      VARCHAR(256)             NOT NULL,
  purpose       VARCHAR(128)             NOT NULL,
  fields        VARCHAR(8000)            NOT NULL,
  valid_from    TIMESTAMP WITH TIME ZONE NOT NULL,
  valid_until   TIMESTAMP WITH TIME ZONE NOT NULL,
  legal_basis   VARCHAR(2000)            NOT NULL,
  max_uses      BIGINT                   NOT NULL,
  state         VARCHAR(16)              NOT NULL,
  submitted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  answered_at   TIMESTAMP WITH TIME ZONE,
  answer_reason VARCHAR(2000),
  grant_id      VARCHAR(128),
  grant_token   VARCHAR(16384),
  CONSTRAINT pk_hub_applications PRIMARY KEY (id),
  CONSTRAINT ck_hub_applications_state CHECK (state IN ('SUBMITTED', 'APPROVED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')),
  CONSTRAINT ck_hub_applications_uses CHECK (max_uses >= 1)
);
CREATE INDEX ix_hub_applications_provider ON hub_applications (provider, state);
CREATE INDEX ix_hub_applications_consumer ON hub_applications (consumer, state);

CREATE TABLE hub_objections (
  id            VARCHAR(48)              NOT NULL,
  consumer      VARCHAR(256)             NOT NULL,
  provider      VARCHAR(256)             NOT NULL,
  resource      VARCHAR(256)             NOT NULL,
  record_ref    VARCHAR(512)             NOT NULL,
  description   VARCHAR(4000)            NOT NULL,
  state         VARCHAR(16)              NOT NULL,
  submitted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  answered_at   TIMESTAMP WITH TIME ZONE,
  answer_reason VARCHAR(2000),
  CONSTRAINT pk_hub_objections PRIMARY KEY (id),
  CONSTRAINT ck_hub_objections_state CHECK (state IN ('SUBMITTED', 'CORRECTED', 'REJECTED', 'WITHDRAWN'))
);
CREATE INDEX ix_hub_objections_provider ON hub_objections (provider, state);
CREATE INDEX ix_hub_objections_consumer ON hub_objections (consumer, state);
