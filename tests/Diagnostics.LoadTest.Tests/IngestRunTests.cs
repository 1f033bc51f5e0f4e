using Diagnostics.Protocol;
using Diagnostics.Testing;

namespace Diagnostics.LoadTest.Tests;

/// <summary>
/// The <c>ingest</c> run's Mosquitto path, small and end to end: devices registered through a cloud in External mode
/// (so each is a dynamic-security client of a real Mosquitto), publishing as fast as Mosquitto takes them; the run
/// completes only when the cloud's ack for every device's last sequence has come back through Mosquitto, and it also
/// measures the same publishers against a bare Mosquitto. A cloud that lost a message, an ACL that dropped the acks or a
/// bare Mosquitto that refused the accounts would fail it.
/// </summary>
public sealed class IngestRunTests
{
    [Fact]
    public async Task Ingest_on_Mosquitto_stores_and_acks_every_message_and_is_read_against_both_references()
    {
        var variants = new[] { CloudVariant.Parse("mosquitto=BROKER:Mosquitto MOSQUITTO:max_inflight_messages=100") };

        var result = Assert.Single(await IngestRun.CompareVariantsAsync(devices: 3, messages: 40, variants, rounds: 1, Severity.Error,
            TestContext.Current.CancellationToken));

        Assert.Equal("mosquitto", result.Name);
        Assert.True(Assert.Single(result.ToReference) > 0);
        Assert.True(Assert.Single(result.ToBareMosquitto) > 0);
    }

    [Fact]
    public void A_variant_names_its_broker_and_Mosquitto_lines_and_refuses_lines_without_Mosquitto()
    {
        var variant = CloudVariant.Parse("m=BROKER:mosquitto MOSQUITTO:max_inflight_messages=0 --Ingestion:MaxBatch=64");

        Assert.Equal(IngestBroker.Mosquitto, variant.Broker);
        Assert.Equal(["max_inflight_messages 0"], variant.MosquittoConfiguration);
        Assert.Equal(["--Ingestion:MaxBatch=64"], variant.Arguments);
        Assert.Equal(IngestBroker.Embedded, CloudVariant.Parse("e=").Broker);
        var refused = Assert.Throws<ArgumentException>(() => CloudVariant.Parse("x=MOSQUITTO:max_inflight_messages=0"));
        Assert.Contains("BROKER:Mosquitto", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_build_variant_takes_the_clouds_own_build_and_refuses_a_folder_holding_the_agents_settings()
    {
        var cloudBuild = Path.GetDirectoryName(RepositoryLayout.CloudDll)!;
        Assert.Equal(RepositoryLayout.CloudDll, CloudVariant.Parse($"own=BUILD:{cloudBuild}").CloudDll);

        // As a copy of the load tool's bin can be: the cloud's dll beside the agent's appsettings.json.
        var mixed = Directory.CreateTempSubdirectory("dx-build-variant-").FullName;
        try
        {
            File.Copy(RepositoryLayout.CloudDll, Path.Combine(mixed, "Diagnostics.Cloud.dll"));
            File.Copy(Path.Combine(RepositoryLayout.Root, "device", "Diagnostics.Agent", "appsettings.json"), Path.Combine(mixed, "appsettings.json"));
            var refused = Assert.Throws<ArgumentException>(() => CloudVariant.Parse($"mixed=BUILD:{mixed}"));
            Assert.Contains("agent's settings", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(mixed, recursive: true);
        }
    }
}
