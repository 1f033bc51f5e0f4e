using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Knowledge;

[Migration(2026_12_06_40, "Knowledge: training phrases (customers' own words for an article, proposed, accepted or rejected)")]
public sealed class TrainingPhraseSchema : SchemaMigration
{
    public override void Up()
    {
        CreateTableUnlessExists("kb_phrases", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("article_id").AsString().NotNullable()
            .WithColumn("language").AsString().NotNullable()
            .WithColumn("text").AsString().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("source").AsString().NotNullable()
            .WithColumn("session_id").AsString().Nullable()
            .WithColumn("proposed_by").AsString().NotNullable()
            .WithColumn("proposed_at_ms").AsInt64().NotNullable()
            .WithColumn("decided_by").AsString().Nullable()
            .WithColumn("decided_at_ms").AsInt64().Nullable());
        // The same words for the same article are one phrase, however often they are proposed.
        PortableSql("CREATE UNIQUE INDEX IF NOT EXISTS ux_kb_phrases_words ON kb_phrases (article_id, language, text);");
        PortableSql("CREATE INDEX IF NOT EXISTS ix_kb_phrases_state ON kb_phrases (state);");
    }
}
