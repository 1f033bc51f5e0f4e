using System.Net;
using System.Net.Http.Json;
using Diagnostics.EndToEnd.Tests.Web;
using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Fixes;

/// <summary>What a customer does through the API before a fix-loop test gets to its point.</summary>
internal static class CustomerApi
{
    /// <summary>An HTTP client signed in as the demo customer who owns nothing yet, who has paired <paramref name="printer"/>.</summary>
    public static async Task<HttpClient> SignInAndPairAsync(CloudProcess cloud, SimulatedPrinterProcess printer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        ArgumentNullException.ThrowIfNull(printer);
        var code = await printer.PairingCodeAsync(ct);
        var customer = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = cloud.BaseAddress };
        using (var login = await customer.PostAsJsonAsync("api/auth/login", new { email = CloudProcess.SecondCustomerEmail, password = CloudProcess.DemoPassword }, ct))
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using (var paired = await customer.PostAsJsonAsync("api/me/devices/pair", new { code }, ct))
            Assert.Equal(HttpStatusCode.OK, paired.StatusCode);
        return customer;
    }
}
