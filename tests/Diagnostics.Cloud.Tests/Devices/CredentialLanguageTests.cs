using System.Net;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// A refused certificate request is explained in the language of whoever sent it (an admin's console, a provisioning
/// tool that asks in Chinese); the log says it in English, once. Expected words are the translators'.
/// </summary>
public sealed class CredentialLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admins_empty_request_is_refused_in_Japanese_and_logged_in_English()
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable());
        var admin = await host.SignedInClientAsync(AccountRole.Admin);
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");

        using var refused = await DeviceTls.PostRequestAsync(admin, "ja-cert-1", "");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal("CertificateInvalidRequest", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal("証明書署名要求が空です。", problem.RootElement.GetProperty("detail").GetString());
        Assert.True(host.Logged(DevicesEventIds.EnrollmentRefused, "The certificate signing request is empty."));
    }

    [Fact]
    public async Task A_request_that_is_not_one_is_refused_in_Chinese_and_the_parsers_English_words_are_logged_only()
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable());
        var tool = host.CreateClient();
        tool.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        using var refused = await DeviceTls.PostRequestAsync(tool, "zh-cert-1", "not a request", DeviceTls.WithEnrollmentKey);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal("这不是用其自身密钥签名的 PKCS#10 证书签名请求。", problem.RootElement.GetProperty("detail").GetString());
        // The log keeps why .NET could not read it, after the English text: "… its own key. (ASN1 corrupted data.)".
        Assert.True(host.Logged(DevicesEventIds.EnrollmentRefused, "This is not a PKCS#10 certificate signing request signed by its own key. ("));
    }
}
