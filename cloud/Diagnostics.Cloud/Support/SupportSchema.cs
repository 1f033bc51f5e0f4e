using Diagnostics.Cloud.Storage;
using FluentMigrator;
using FluentMigrator.Builders.Alter.Table;

namespace Diagnostics.Cloud.Support;

[Migration(2026_12_06_08, "Support: sessions, messages, pictures, agents, canned replies, quality reviews")]
public sealed class SupportSchema : SchemaMigration
{
    /// <summary>Columns support sessions grew after their first version (the queue, the ending, the rating, read marks).</summary>
    private static readonly (string Column, Action<IAlterTableColumnAsTypeSyntax> Definition)[] SessionColumnsAddedLater =
    [
        ("customer_name", c => c.AsString().NotNullable().WithDefaultValue("")),
        ("agent_name", c => c.AsString().Nullable()),
        ("priority", c => c.AsInt32().NotNullable().WithDefaultValue(0)),
        ("handover_reason", c => c.AsString().Nullable()),
        ("queued_at_ms", c => c.AsInt64().Nullable()),
        ("assigned_at_ms", c => c.AsInt64().Nullable()),
        ("first_response_at_ms", c => c.AsInt64().Nullable()),
        ("resolution", c => c.AsString().Nullable()),
        ("category", c => c.AsString().Nullable()),
        ("summary", c => c.AsString().Nullable()),
        ("solution", c => c.AsString().Nullable()),
        ("rating", c => c.AsInt32().Nullable()),
        ("rating_comment", c => c.AsString().Nullable()),
        ("customer_read_seq", c => c.AsInt64().NotNullable().WithDefaultValue(0)),
        ("client_id", c => c.AsString().Nullable()),
    ];

    public override void Up()
    {
        var created = CreateTableUnlessExists("support_sessions", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("customer_id").AsString().NotNullable()
            .WithColumn("device_id").AsString().Nullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("agent_id").AsString().Nullable()
            .WithColumn("opened_by").AsString().NotNullable()
            .WithColumn("opened_at_ms").AsInt64().NotNullable()
            .WithColumn("closed_at_ms").AsInt64().Nullable()
            .WithColumn("last_seq").AsInt64().NotNullable()
            .WithColumn("customer_name").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("agent_name").AsString().Nullable()
            // The severity of the device's worst problem when the session was queued: the queue serves it first.
            .WithColumn("priority").AsInt32().NotNullable().WithDefaultValue(0)
            .WithColumn("handover_reason").AsString().Nullable()
            .WithColumn("queued_at_ms").AsInt64().Nullable()
            .WithColumn("assigned_at_ms").AsInt64().Nullable()
            .WithColumn("first_response_at_ms").AsInt64().Nullable()
            .WithColumn("resolution").AsString().Nullable()
            .WithColumn("category").AsString().Nullable()
            .WithColumn("summary").AsString().Nullable()
            .WithColumn("solution").AsString().Nullable()
            .WithColumn("rating").AsInt32().Nullable()
            .WithColumn("rating_comment").AsString().Nullable()
            // The last message the customer has seen: what is after it from support is unread.
            .WithColumn("customer_read_seq").AsInt64().NotNullable().WithDefaultValue(0)
            // The app's own id for "open a conversation": a request sent again (a bad network) opens one, not two.
            .WithColumn("client_id").AsString().Nullable());
        if (!created)
        {
            foreach (var (column, definition) in SessionColumnsAddedLater)
                AddColumnUnlessExists("support_sessions", column, definition);
        }
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_support_sessions_customer ON support_sessions (customer_id, opened_at_ms DESC);
            CREATE INDEX IF NOT EXISTS ix_support_sessions_state ON support_sessions (state, opened_at_ms);
            CREATE INDEX IF NOT EXISTS ix_support_sessions_agent ON support_sessions (agent_id, state);
            CREATE INDEX IF NOT EXISTS ix_support_sessions_closed ON support_sessions (closed_at_ms);
            CREATE UNIQUE INDEX IF NOT EXISTS ix_support_sessions_client ON support_sessions (customer_id, client_id) WHERE client_id IS NOT NULL;
            """);

        // Every message, numbered per session in the order it was stored: a client that comes back asks for what
        // follows the last number it has. A client's own id makes a re-sent message land once.
        CreateTableUnlessExists("support_messages", table => table
            .WithColumn("session_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("kind").AsString().NotNullable()
            .WithColumn("author_kind").AsString().NotNullable()
            .WithColumn("author_id").AsString().NotNullable()
            .WithColumn("author_name").AsString().NotNullable()
            .WithColumn("body").AsString().NotNullable()
            .WithColumn("internal").AsBoolean().NotNullable()
            .WithColumn("client_id").AsString().Nullable()
            .WithColumn("at_ms").AsInt64().NotNullable());
        PortableSql("CREATE UNIQUE INDEX IF NOT EXISTS ix_support_messages_client ON support_messages (session_id, client_id) WHERE client_id IS NOT NULL;");

        // Pictures sent in a chat, checked for type and size before they are stored.
        CreateTableUnlessExists("support_images", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("session_id").AsString().NotNullable()
            .WithColumn("content_type").AsString().NotNullable()
            .WithColumn("bytes").AsInt64().NotNullable()
            .WithColumn("sha256").AsString().NotNullable()
            .WithColumn("content").AsBinary().NotNullable());

        // Staff who take sessions: whether they take new ones now, and how many at once.
        CreateTableUnlessExists("support_agents", table => table
            .WithColumn("agent_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("name").AsString().NotNullable()
            .WithColumn("available").AsBoolean().NotNullable()
            .WithColumn("max_sessions").AsInt32().NotNullable()
            .WithColumn("changed_at_ms").AsInt64().NotNullable());

        // Replies agents keep for what they write often.
        CreateTableUnlessExists("support_canned_replies", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("title").AsString().NotNullable()
            .WithColumn("body").AsString().NotNullable()
            .WithColumn("created_by").AsString().NotNullable()
            .WithColumn("created_at_ms").AsInt64().NotNullable());

        // A supervisor's quality review of a closed conversation: one per conversation, revised in place. The agent is
        // kept as it was when reviewed (null: the assistant handled it alone), so a reviewer's figures follow them.
        // Plain SQL for the score's CHECK, which the fluent syntax lacks; every type here reads the same on both engines.
        PortableSql("""
            CREATE TABLE IF NOT EXISTS support_reviews (
                session_id TEXT NOT NULL PRIMARY KEY REFERENCES support_sessions (id),
                agent_id TEXT NULL,
                agent_name TEXT NULL,
                reviewer_id TEXT NOT NULL,
                reviewer_name TEXT NOT NULL,
                score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
                comment TEXT NULL,
                reviewed_at_ms BIGINT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS ix_support_reviews_agent ON support_reviews (agent_id, reviewed_at_ms DESC);
            """);
    }
}

[Migration(2026_12_06_57, "Support: canned replies in a language, the same reply's languages sharing a topic")]
public sealed class CannedReplyLanguageSchema : SchemaMigration
{
    public override void Up()
    {
        // The language the reply is written in (the agent offers the customer's first); replies from before were English.
        AddColumnUnlessExists("support_canned_replies", "language", column => column.AsString().NotNullable().WithDefaultValue("en"));
        // One reply in several languages: the translations of a starter reply share its topic ("Greeting"), which is
        // how the agent's view finds the reply in another language. Null for a reply written once, in one language.
        AddColumnUnlessExists("support_canned_replies", "topic", column => column.AsString().Nullable());
        foreach (var (topic, title) in StarterCannedReplies.EnglishTitlesBefore)
            Execute.Sql($"UPDATE support_canned_replies SET topic = '{topic}' WHERE topic IS NULL AND created_by = 'Diagnostics' AND title = '{title.Replace("'", "''", StringComparison.Ordinal)}';");
    }
}

[Migration(2026_12_06_71, "Support: the rubric criteria a quality review found met")]
public sealed class SupportReviewRubricSchema : SchemaMigration
{
    // Comma-separated ReviewRubric keys; null for reviews written before the rubric (a score and a comment only).
    public override void Up() => AddColumnUnlessExists("support_reviews", "rubric", column => column.AsString().Nullable());
}
