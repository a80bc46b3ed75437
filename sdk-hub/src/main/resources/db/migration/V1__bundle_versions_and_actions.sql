-- Shulian city hub, schema version 1. Runs unchanged on H2 (embedded default) and PostgreSQL.

-- Every signed city bundle the hub has published, per suite. The hub serves the row with the highest
-- version; a version is published once and never changed (the primary key refuses a second row, so
-- two hubs racing on one database cannot both publish the same version).
CREATE TABLE bundle_versions (
  suite         VARCHAR(8)               NOT NULL,
  version       BIGINT                   NOT NULL,
  bytes         BYTEA                    NOT NULL,
  sha256        CHAR(64)                 NOT NULL,
  published_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  published_by  VARCHAR(128)             NOT NULL,
  CONSTRAINT pk_bundle_versions PRIMARY KEY (suite, version),
  CONSTRAINT ck_bundle_versions_suite CHECK (suite IN ('intl', 'gm')),
  CONSTRAINT ck_bundle_versions_version CHECK (version >= 1)
);

-- Incident actions (issue 15 item 4: suspend a party, freeze a resource, revoke a grant, emergency
-- CRL) and their lifting. Not written by any code yet: the incident-actions work fills it. Each
-- action names the bundle version that put it into force and, once lifted, the one that lifted it.
CREATE TABLE hub_actions (
  id                    BIGINT GENERATED ALWAYS AS IDENTITY,
  kind                  VARCHAR(32)              NOT NULL,
  target                VARCHAR(256)             NOT NULL,
  reason                VARCHAR(2000)            NOT NULL,
  requested_by          VARCHAR(128)             NOT NULL,
  created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
  suite                 VARCHAR(8)               NOT NULL,
  bundle_version        BIGINT,
  lifted_at             TIMESTAMP WITH TIME ZONE,
  lifted_by             VARCHAR(128),
  lifted_bundle_version BIGINT,
  CONSTRAINT pk_hub_actions PRIMARY KEY (id),
  CONSTRAINT ck_hub_actions_kind CHECK (kind IN ('SUSPEND_PARTY', 'FREEZE_RESOURCE', 'REVOKE_GRANT', 'EMERGENCY_CRL'))
);
CREATE INDEX ix_hub_actions_open ON hub_actions (kind, target, lifted_at);
