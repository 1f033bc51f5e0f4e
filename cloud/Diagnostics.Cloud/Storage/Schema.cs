namespace Diagnostics.Cloud.Storage;

/// <summary>The database schema; every statement is idempotent so it runs at each start.</summary>
internal static class Schema
{
    /// <summary>A store's column list ("a, b") with a table alias on each ("t.a, t.b"), for joins.</summary>
    public static string Qualified(string columns, string alias) => string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    public const string Sql = """
        CREATE TABLE IF NOT EXISTS devices (
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
        CREATE INDEX IF NOT EXISTS ix_devices_health ON devices (health);
        CREATE INDEX IF NOT EXISTS ix_devices_model ON devices (model);

        CREATE TABLE IF NOT EXISTS telemetry (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            device_time_ms INTEGER NOT NULL,
            received_time_ms INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (device_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS device_events (
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
        CREATE INDEX IF NOT EXISTS ix_device_events_device_seq ON device_events (device_id, seq DESC);

        CREATE TABLE IF NOT EXISTS active_conditions (
            device_id TEXT NOT NULL,
            code TEXT NOT NULL,
            condition TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            since_ms INTEGER NOT NULL,
            PRIMARY KEY (device_id, code)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_active_conditions_condition ON active_conditions (condition);

        CREATE TABLE IF NOT EXISTS accounts (
            id TEXT NOT NULL PRIMARY KEY,
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS device_owners (
            device_id TEXT NOT NULL PRIMARY KEY,
            account_id TEXT NOT NULL,
            paired_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_device_owners_account ON device_owners (account_id);

        CREATE TABLE IF NOT EXISTS notifications (
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
        CREATE INDEX IF NOT EXISTS ix_notifications_account ON notifications (account_id, id DESC);

        CREATE TABLE IF NOT EXISTS fleet_history (
            at_ms INTEGER NOT NULL PRIMARY KEY,
            total INTEGER NOT NULL,
            healthy INTEGER NOT NULL,
            warning INTEGER NOT NULL,
            critical INTEGER NOT NULL,
            unknown INTEGER NOT NULL,
            online INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS fleet_history_conditions (
            at_ms INTEGER NOT NULL,
            condition TEXT NOT NULL,
            devices INTEGER NOT NULL,
            PRIMARY KEY (at_ms, condition)
        ) WITHOUT ROWID;

        -- Knowledge base: every version of every article is kept; an article points at its published and draft versions.
        CREATE TABLE IF NOT EXISTS kb_articles (
            id TEXT NOT NULL PRIMARY KEY,
            published_version INTEGER NULL,
            draft_version INTEGER NULL
        );

        CREATE TABLE IF NOT EXISTS kb_article_versions (
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

        -- Verified and failed fixes per article and model: the success rates matching ranks with.
        CREATE TABLE IF NOT EXISTS kb_outcomes (
            article_id TEXT NOT NULL,
            model TEXT NOT NULL,
            verified INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (article_id, model)
        ) WITHOUT ROWID;

        -- The fix loop. Ingestion leaves raised problems and command results here in its own transaction; the fix
        -- loop takes them out in the transaction that acts on them, so none is lost to a crash in between.
        CREATE TABLE IF NOT EXISTS fix_inbox (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            envelope BLOB NOT NULL,
            received_at_ms INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS fix_proposals (
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
        CREATE INDEX IF NOT EXISTS ix_fix_proposals_device ON fix_proposals (device_id, created_at_ms DESC);
        CREATE INDEX IF NOT EXISTS ix_fix_proposals_state ON fix_proposals (state);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_fix_proposals_command ON fix_proposals (command_id) WHERE command_id IS NOT NULL;

        -- Standing consents: "apply maintenance fixes on this device automatically until ...", revocable.
        CREATE TABLE IF NOT EXISTS consent_policies (
            id TEXT NOT NULL PRIMARY KEY,
            device_id TEXT NOT NULL,
            action TEXT NOT NULL,
            granted_by TEXT NOT NULL,
            granted_at_ms INTEGER NOT NULL,
            expires_at_ms INTEGER NOT NULL,
            revoked_at_ms INTEGER NULL,
            revoked_by TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_consent_policies_device ON consent_policies (device_id);

        -- Diagnostics reports a device uploaded: the owner reviews each before support can open it.
        CREATE TABLE IF NOT EXISTS diagnostic_bundles (
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
        CREATE INDEX IF NOT EXISTS ix_diagnostic_bundles_device ON diagnostic_bundles (device_id, uploaded_at_ms DESC);

        -- Every remote action and decision, each record carrying the hash of the one before (tamper-evident).
        CREATE TABLE IF NOT EXISTS audit_log (
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
        CREATE INDEX IF NOT EXISTS ix_audit_log_device ON audit_log (device_id, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_log_subject ON audit_log (subject, seq);

        -- Labels staff give devices ("pilot", "site-berlin"), used to target rollouts.
        CREATE TABLE IF NOT EXISTS device_tags (
            device_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY (device_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_device_tags_tag ON device_tags (tag);

        -- Update packages: the signed manifest as uploaded, a few fields out of it for queries, and the payload's file.
        CREATE TABLE IF NOT EXISTS update_packages (
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
        CREATE INDEX IF NOT EXISTS ix_update_packages_version ON update_packages (version);

        CREATE TABLE IF NOT EXISTS rollouts (
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

        -- One row per device in a rollout: its wave, its consent, and the last step it reported.
        CREATE TABLE IF NOT EXISTS rollout_devices (
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
        CREATE INDEX IF NOT EXISTS ix_rollout_devices_device ON rollout_devices (device_id);
        CREATE INDEX IF NOT EXISTS ix_rollout_devices_offer ON rollout_devices (offer_id);

        -- Update reports left by ingestion for the rollout scheduler, in the transaction that stored them.
        CREATE TABLE IF NOT EXISTS update_inbox (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            envelope BLOB NOT NULL,
            received_at_ms INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq)
        ) WITHOUT ROWID;

        -- Support sessions: one conversation between a customer (and their device), the bot and the agents.
        CREATE TABLE IF NOT EXISTS support_sessions (
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
        CREATE INDEX IF NOT EXISTS ix_support_sessions_customer ON support_sessions (customer_id, opened_at_ms DESC);
        CREATE INDEX IF NOT EXISTS ix_support_sessions_state ON support_sessions (state, opened_at_ms);
        CREATE INDEX IF NOT EXISTS ix_support_sessions_agent ON support_sessions (agent_id, state);
        CREATE INDEX IF NOT EXISTS ix_support_sessions_closed ON support_sessions (closed_at_ms);

        -- Every message, numbered per session in the order it was stored: a client that comes back asks for what
        -- follows the last number it has. A client's own id makes a re-sent message land once.
        CREATE TABLE IF NOT EXISTS support_messages (
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
        CREATE UNIQUE INDEX IF NOT EXISTS ix_support_messages_client ON support_messages (session_id, client_id) WHERE client_id IS NOT NULL;

        -- Pictures sent in a chat, checked for type and size before they are stored.
        CREATE TABLE IF NOT EXISTS support_images (
            id TEXT NOT NULL PRIMARY KEY,
            session_id TEXT NOT NULL,
            content_type TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            content BLOB NOT NULL
        );

        -- Staff who take sessions: whether they take new ones now, and how many at once.
        CREATE TABLE IF NOT EXISTS support_agents (
            agent_id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            available INTEGER NOT NULL,
            max_sessions INTEGER NOT NULL,
            changed_at_ms INTEGER NOT NULL
        );

        -- Replies agents keep for what they write often.
        CREATE TABLE IF NOT EXISTS support_canned_replies (
            id TEXT NOT NULL PRIMARY KEY,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL
        );

        -- A supervisor's quality review of a closed conversation: one per conversation, revised in place. The agent
        -- is kept as it was when reviewed (null: the assistant handled it alone), so a reviewer's figures follow them.
        CREATE TABLE IF NOT EXISTS support_reviews (
            session_id TEXT NOT NULL PRIMARY KEY REFERENCES support_sessions (id),
            agent_id TEXT NULL,
            agent_name TEXT NULL,
            reviewer_id TEXT NOT NULL,
            reviewer_name TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            comment TEXT NULL,
            reviewed_at_ms INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_support_reviews_agent ON support_reviews (agent_id, reviewed_at_ms DESC);

        -- When a customer lets updates install on a device: minutes of the day in the customer's time zone.
        CREATE TABLE IF NOT EXISTS maintenance_windows (
            device_id TEXT NOT NULL PRIMARY KEY,
            from_minute INTEGER NOT NULL,
            to_minute INTEGER NOT NULL,
            time_zone TEXT NOT NULL,
            not_while_printing INTEGER NOT NULL
        );

        -- Client certificates the device CA issued. A device presenting one is accepted while it is within its validity
        -- and not revoked here: this table is the cloud's own revocation list (the CA publishes none).
        CREATE TABLE IF NOT EXISTS device_certificates (
            serial TEXT NOT NULL PRIMARY KEY,
            device_id TEXT NOT NULL,
            thumbprint TEXT NOT NULL,
            not_before_ms INTEGER NOT NULL,
            not_after_ms INTEGER NOT NULL,
            issued_at_ms INTEGER NOT NULL,
            revoked_at_ms INTEGER NULL,
            revocation_reason TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_device_certificates_device ON device_certificates (device_id, issued_at_ms);

        -- Certificate requests from devices that showed neither the enrollment key nor a token: an admin decides. The
        -- id is the requester's secret (it fetches its certificate with it); one request per device waits at a time.
        CREATE TABLE IF NOT EXISTS certificate_requests (
            id TEXT NOT NULL PRIMARY KEY,
            device_id TEXT NOT NULL,
            model TEXT NOT NULL,
            csr BLOB NOT NULL,
            key_fingerprint TEXT NOT NULL,
            state TEXT NOT NULL,
            requested_at_ms INTEGER NOT NULL,
            requested_from TEXT NOT NULL,
            decided_by TEXT NULL,
            decided_at_ms INTEGER NULL,
            certificate BLOB NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ix_certificate_requests_waiting ON certificate_requests (device_id) WHERE state IN ('pending', 'approved');
        CREATE INDEX IF NOT EXISTS ix_certificate_requests_state ON certificate_requests (state, requested_at_ms);
        """;

    /// <summary>
    /// Columns added after a table was first created: <c>CREATE TABLE IF NOT EXISTS</c> leaves an existing table as it
    /// was, so each is added when the table lacks it. Append only; never rename or drop.
    /// </summary>
    public static readonly IReadOnlyList<(string Table, string Column, string Definition)> AddedColumns =
    [
        ("devices", "pairing_code", "TEXT NULL"),
        // Set when the device's credentials were revoked (decommissioned): its history stays, its token and
        // certificates no longer authenticate, and registering its id again gives it new ones.
        ("devices", "credentials_revoked_at_ms", "INTEGER NULL"),
        // Support sessions grew the queue, the ending and the rating after their first version.
        ("support_sessions", "customer_name", "TEXT NOT NULL DEFAULT ''"),
        ("support_sessions", "agent_name", "TEXT NULL"),
        // The severity of the device's worst problem when the session was queued: the queue serves it first.
        ("support_sessions", "priority", "INTEGER NOT NULL DEFAULT 0"),
        ("support_sessions", "handover_reason", "TEXT NULL"),
        ("support_sessions", "queued_at_ms", "INTEGER NULL"),
        ("support_sessions", "assigned_at_ms", "INTEGER NULL"),
        ("support_sessions", "first_response_at_ms", "INTEGER NULL"),
        ("support_sessions", "resolution", "TEXT NULL"),
        ("support_sessions", "category", "TEXT NULL"),
        ("support_sessions", "summary", "TEXT NULL"),
        ("support_sessions", "solution", "TEXT NULL"),
        ("support_sessions", "rating", "INTEGER NULL"),
        ("support_sessions", "rating_comment", "TEXT NULL"),
        // The last message the customer has seen: what is after it from support is unread.
        ("support_sessions", "customer_read_seq", "INTEGER NOT NULL DEFAULT 0"),
        // The app's own id for "open a conversation": a request sent again (a bad network) opens one, not two.
        ("support_sessions", "client_id", "TEXT NULL"),
        // The name a customer gives their device at pairing or later ("Office printer"); theirs alone.
        ("device_owners", "nickname", "TEXT NULL"),
    ];

    /// <summary>Indexes over added columns, created once the columns exist.</summary>
    public const string IndexesOnAddedColumns = """
        CREATE INDEX IF NOT EXISTS ix_devices_pairing_code ON devices (pairing_code);
        CREATE INDEX IF NOT EXISTS ix_devices_firmware ON devices (firmware);
        CREATE INDEX IF NOT EXISTS ix_devices_online ON devices (online);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_support_sessions_client ON support_sessions (customer_id, client_id) WHERE client_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_notifications_unread_code ON notifications (account_id, device_id, code) WHERE read_at_ms IS NULL;
        """;
}
