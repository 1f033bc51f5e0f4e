using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Knowledge;

[Migration(2026_12_06_05, "Knowledge: articles, every version of each, fix outcomes")]
public sealed class KnowledgeSchema : SchemaMigration
{
    public override void Up()
    {
        // Every version of every article is kept; an article points at its published and draft versions.
        CreateTableUnlessExists("kb_articles", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("published_version").AsInt32().Nullable()
            .WithColumn("draft_version").AsInt32().Nullable());
        CreateTableUnlessExists("kb_article_versions", table => table
            .WithColumn("article_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("version").AsInt32().NotNullable().PrimaryKey()
            .WithColumn("markdown").AsString().NotNullable()
            .WithColumn("content_hash").AsString().NotNullable()
            .WithColumn("author").AsString().NotNullable()
            .WithColumn("origin").AsString().NotNullable()
            .WithColumn("created_at_ms").AsInt64().NotNullable()
            .WithColumn("published_at_ms").AsInt64().Nullable());
        // Verified and failed fixes per article and model: the success rates matching ranks with.
        CreateTableUnlessExists("kb_outcomes", table => table
            .WithColumn("article_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("model").AsString().NotNullable().PrimaryKey()
            .WithColumn("verified").AsInt64().NotNullable().WithDefaultValue(0)
            .WithColumn("failed").AsInt64().NotNullable().WithDefaultValue(0));
    }
}
