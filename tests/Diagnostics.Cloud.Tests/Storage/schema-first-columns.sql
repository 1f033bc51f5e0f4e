-- The same schema before the columns added at start since the tables' first versions (Storage/Schema.cs's
-- CREATE statements alone at commit 192a885): support sessions without queue, ending and rating, devices without pairing codes.
CREATE TABLE devices (
    id TEXT NOT NULL PRIMARY KEY,
    model TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    firmware TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'Unknown',
    state_message TEXT NOT NULL DEFAULT '',
    health TEXT NOT NULL DEFAULT 'unknown',
    online INTEGER NOT NULL DEFAULT 0,
    last_seen_ms INTEGER NULL,
    heartbeat_interval_s INTEGER NOT NULL DEFAULT 0,
    status_seq INTEGER NULL,
    status_blob BLOB NULL,
    contiguous_mark INTEGER NULL,
    token_hash BLOB NOT NULL,
    token_salt BLOB NOT NULL,
    registered_at_ms INTEGER NOT NULL
);
CREATE TABLE telemetry (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    device_time_ms INTEGER NOT NULL,
    received_time_ms INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE TABLE device_events (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    condition TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    device_time_ms INTEGER NOT NULL,
    received_time_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE TABLE active_conditions (
    device_id TEXT NOT NULL,
    code TEXT NOT NULL,
    condition TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, code)
) WITHOUT ROWID;
CREATE TABLE accounts (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE device_owners (
    device_id TEXT NOT NULL PRIMARY KEY,
    account_id TEXT NOT NULL,
    paired_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    condition TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    read_at_ms INTEGER NULL,
    UNIQUE (account_id, device_id, seq)
);
CREATE TABLE fleet_history (
    at_ms INTEGER NOT NULL PRIMARY KEY,
    total INTEGER NOT NULL,
    healthy INTEGER NOT NULL,
    warning INTEGER NOT NULL,
    critical INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    online INTEGER NOT NULL
);
CREATE TABLE fleet_history_conditions (
    at_ms INTEGER NOT NULL,
    condition TEXT NOT NULL,
    devices INTEGER NOT NULL,
    PRIMARY KEY (at_ms, condition)
) WITHOUT ROWID;
CREATE TABLE kb_articles (
    id TEXT NOT NULL PRIMARY KEY,
    published_version INTEGER NULL,
    draft_version INTEGER NULL
);
CREATE TABLE kb_article_versions (
    article_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    markdown TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    author TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    published_at_ms INTEGER NULL,
    PRIMARY KEY (article_id, version)
) WITHOUT ROWID;
CREATE TABLE kb_outcomes (
    article_id TEXT NOT NULL,
    model TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, model)
) WITHOUT ROWID;
CREATE TABLE fix_inbox (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE TABLE fix_proposals (
    id TEXT NOT NULL PRIMARY KEY,
    device_id TEXT NOT NULL,
    code TEXT NOT NULL,
    condition TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    article_id TEXT NULL,
    article_version INTEGER NULL,
    article_title TEXT NULL,
    command TEXT NULL,
    action TEXT NULL,
    parameters TEXT NULL,
    describe TEXT NULL,
    verify_clears TEXT NULL,
    verify_within_ms INTEGER NULL,
    reasons TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    decided_at_ms INTEGER NULL,
    decided_by TEXT NULL,
    consent_id TEXT NULL,
    command_id TEXT NULL,
    sent_at_ms INTEGER NULL,
    command_expires_at_ms INTEGER NULL,
    result_outcome TEXT NULL,
    result_detail TEXT NULL,
    result_at_ms INTEGER NULL,
    verify_deadline_ms INTEGER NULL,
    finished_at_ms INTEGER NULL
);
CREATE TABLE consent_policies (
    id TEXT NOT NULL PRIMARY KEY,
    device_id TEXT NOT NULL,
    action TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER NULL,
    revoked_by TEXT NULL
);
CREATE TABLE diagnostic_bundles (
    id TEXT NOT NULL PRIMARY KEY,
    device_id TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    command_id TEXT NOT NULL UNIQUE,
    uploaded_at_ms INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT NULL,
    decided_at_ms INTEGER NULL,
    content BLOB NULL
);
CREATE TABLE audit_log (
    seq INTEGER NOT NULL PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    device_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE device_tags (
    device_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (device_id, tag)
) WITHOUT ROWID;
CREATE TABLE update_packages (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    models TEXT NOT NULL,
    is_delta INTEGER NOT NULL,
    delta_from_version TEXT NOT NULL,
    payload_size INTEGER NOT NULL,
    image_size INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    signed_manifest BLOB NOT NULL,
    payload_file TEXT NOT NULL,
    uploaded_at_ms INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE TABLE rollouts (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    package_id TEXT NOT NULL,
    version TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    halt_reason TEXT NOT NULL DEFAULT '',
    current_wave INTEGER NOT NULL,
    wave_started_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE TABLE rollout_devices (
    rollout_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    wave INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    offer_id TEXT NULL,
    package_id TEXT NULL,
    from_version TEXT NOT NULL,
    running_version TEXT NOT NULL DEFAULT '',
    percent INTEGER NOT NULL DEFAULT 0,
    failure TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    approved_by TEXT NULL,
    approved_at_ms INTEGER NULL,
    consent_id TEXT NULL,
    first_offered_at_ms INTEGER NULL,
    deferred_until_ms INTEGER NULL,
    not_before_ms INTEGER NULL,
    started_at_ms INTEGER NULL,
    finished_at_ms INTEGER NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (rollout_id, device_id)
) WITHOUT ROWID;
CREATE TABLE update_inbox (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE TABLE support_sessions (
    id TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL,
    device_id TEXT NULL,
    state TEXT NOT NULL,
    agent_id TEXT NULL,
    opened_by TEXT NOT NULL,
    opened_at_ms INTEGER NOT NULL,
    closed_at_ms INTEGER NULL,
    last_seq INTEGER NOT NULL
);
CREATE TABLE support_messages (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    internal INTEGER NOT NULL,
    client_id TEXT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE TABLE support_images (
    id TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE support_agents (
    agent_id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    available INTEGER NOT NULL,
    max_sessions INTEGER NOT NULL,
    changed_at_ms INTEGER NOT NULL
);
CREATE TABLE support_canned_replies (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE support_reviews (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES support_sessions (id),
    agent_id TEXT NULL,
    agent_name TEXT NULL,
    reviewer_id TEXT NOT NULL,
    reviewer_name TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NULL,
    reviewed_at_ms INTEGER NOT NULL
);
CREATE TABLE maintenance_windows (
    device_id TEXT NOT NULL PRIMARY KEY,
    from_minute INTEGER NOT NULL,
    to_minute INTEGER NOT NULL,
    time_zone TEXT NOT NULL,
    not_while_printing INTEGER NOT NULL
);
CREATE INDEX ix_devices_health ON devices (health);
CREATE INDEX ix_devices_model ON devices (model);
CREATE INDEX ix_device_events_device_seq ON device_events (device_id, seq DESC);
CREATE INDEX ix_active_conditions_condition ON active_conditions (condition);
CREATE INDEX ix_device_owners_account ON device_owners (account_id);
CREATE INDEX ix_notifications_account ON notifications (account_id, id DESC);
CREATE INDEX ix_fix_proposals_device ON fix_proposals (device_id, created_at_ms DESC);
CREATE INDEX ix_fix_proposals_state ON fix_proposals (state);
CREATE UNIQUE INDEX ix_fix_proposals_command ON fix_proposals (command_id) WHERE command_id IS NOT NULL;
CREATE INDEX ix_consent_policies_device ON consent_policies (device_id);
CREATE INDEX ix_diagnostic_bundles_device ON diagnostic_bundles (device_id, uploaded_at_ms DESC);
CREATE INDEX ix_audit_log_device ON audit_log (device_id, seq);
CREATE INDEX ix_audit_log_subject ON audit_log (subject, seq);
CREATE INDEX ix_device_tags_tag ON device_tags (tag);
CREATE INDEX ix_update_packages_version ON update_packages (version);
CREATE INDEX ix_rollout_devices_device ON rollout_devices (device_id);
CREATE INDEX ix_rollout_devices_offer ON rollout_devices (offer_id);
CREATE INDEX ix_support_sessions_customer ON support_sessions (customer_id, opened_at_ms DESC);
CREATE INDEX ix_support_sessions_state ON support_sessions (state, opened_at_ms);
CREATE INDEX ix_support_sessions_agent ON support_sessions (agent_id, state);
CREATE INDEX ix_support_sessions_closed ON support_sessions (closed_at_ms);
CREATE UNIQUE INDEX ix_support_messages_client ON support_messages (session_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX ix_support_reviews_agent ON support_reviews (agent_id, reviewed_at_ms DESC);
