using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.EndToEnd.Tests.Web;
using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Fixes;

/// <summary>
/// The fix loop through the customer API with a real cloud and a real agent process: a jam the printer's rollers cannot
/// clear makes the approved fix fail on the device; the failure counts against the article, and the next article for the
/// problem is offered.
/// </summary>
public sealed class FixThroughTheApiTests
{
    [Fact(Timeout = 180_000)]
    public async Task A_fix_the_device_cannot_carry_out_fails_and_the_next_article_is_offered()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-stubborn-printer");
        using var customer = await CustomerApi.SignInAndPairAsync(cloud, printer, ct);

        await printer.RestartAsync("stubborn-jam@1s/30m");
        var first = await FixAsync(customer, f => f.GetProperty("state").GetString() == "proposed", ct);
        Assert.Equal("paper-jam", first.GetProperty("articleId").GetString());
        using (var approved = await customer.PostAsync(new Uri($"api/me/fixes/{first.GetProperty("id").GetString()}/approve", UriKind.Relative), null, ct))
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var failed = await FixAsync(customer, f => f.GetProperty("id").GetString() == first.GetProperty("id").GetString() && f.GetProperty("state").GetString() == "failed", ct);
        Assert.Equal("failed", failed.GetProperty("resultOutcome").GetString());
        Assert.Contains("could not clear the jam", failed.GetProperty("resultDetail").GetString(), StringComparison.Ordinal);
        var next = await FixAsync(customer, f => f.GetProperty("attempt").GetInt32() == 2, ct);
        Assert.NotEqual("paper-jam", next.GetProperty("articleId").GetString());
        var admin = await cloud.AdminHttpAsync(ct);
        using var audit = JsonDocument.Parse(await admin.GetStringAsync($"api/devices/{printer.DeviceId}/audit", ct));
        var actions = audit.RootElement.EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        Assert.Equal(["fix.proposed", "consent.approved", "command.sent", "command.result", "fix.proposed"], actions);
    }

    private static async Task<JsonElement> FixAsync(HttpClient customer, Func<JsonElement, bool> wanted, CancellationToken ct)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            using var fixes = JsonDocument.Parse(await customer.GetStringAsync("api/me/fixes", ct));
            foreach (var fix in fixes.RootElement.EnumerateArray())
            {
                if (wanted(fix))
                {
                    found = fix.Clone();
                    return true;
                }
            }
            return false;
        }, "the fix the test waits for", TimeSpan.FromSeconds(90));
        return found;
    }
}
