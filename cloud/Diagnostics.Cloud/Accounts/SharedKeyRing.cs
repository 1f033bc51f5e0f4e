using System.Xml.Linq;
using Diagnostics.Cloud.Storage;
using FluentMigrator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Accounts;

/// <summary>
/// The data-protection key ring (what signs and encrypts the sign-in cookie and anti-forgery tokens) kept in the
/// database, so a cookie issued by one instance is read by every other. Used on PostgreSQL; on SQLite (one instance)
/// the keys stay where ASP.NET Core keeps them by default.
/// </summary>
internal sealed class SharedKeyRing(Database database) : IXmlRepository
{
    /// <summary>The application name every instance must share: data protection isolates apps by it (by default the content root, which differs between machines).</summary>
    public const string ApplicationName = "Diagnostics.Cloud";

    // IXmlRepository is synchronous; the key manager calls it rarely (start, key rotation every 90 days).
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. database.QueryAsync<string>("SELECT xml FROM data_protection_keys ORDER BY name;", null, CancellationToken.None)
            .GetAwaiter().GetResult().Select(x => XElement.Parse(x))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        database.ExecuteAsync("INSERT INTO data_protection_keys (name, xml) VALUES (@friendlyName, @xml) ON CONFLICT (name) DO NOTHING;",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) }, CancellationToken.None).GetAwaiter().GetResult();
    }
}

public static class SharedKeyRingExtensions
{
    /// <summary>On PostgreSQL, the key ring in the database under one application name; nothing changes on SQLite.</summary>
    public static IHostApplicationBuilder AddSharedKeyRing(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider != StorageProvider.PostgreSQL)
            return builder;
        builder.Services.AddDataProtection().SetApplicationName(SharedKeyRing.ApplicationName);
        builder.Services.AddSingleton<SharedKeyRing>();
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = services.GetRequiredService<SharedKeyRing>()));
        return builder;
    }
}

[Migration(2026_12_06_77, "Accounts: the data-protection key ring shared by every instance")]
public sealed class SharedKeyRingSchema : SchemaMigration
{
    public override void Up() => CreateTableUnlessExists("data_protection_keys", table => table
        .WithColumn("name").AsString().NotNullable().PrimaryKey()
        .WithColumn("xml").AsString().NotNullable());
}
