using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Testing;

namespace Diagnostics.FirmwareTools.Tests.Cloud;

public sealed class PublishCommandTests : IAsyncLifetime
{
    private readonly FwtoolHarness _fwtool = new();
    private FakeCloud _cloud = null!;
    private string _package = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await FakeCloud.StartAsync();
        var key = await _fwtool.KeygenAsync("release");
        _package = await _fwtool.PackAsync(FirmwareImages.Create(512 * 1024, seed: 9).Bytes, "2.4.1");
        await _fwtool.RunOkAsync("sign", _package, "--key", key + ".key.pem");
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _fwtool.Dispose();
    }

    private Task<FwtoolResult> PublishAsync(string? package = null) =>
        _fwtool.RunAsync("publish", package ?? _package, "--cloud", _cloud.Address.ToString(), "--email", FakeCloud.Email);

    [Fact]
    public async Task Signs_in_with_the_password_from_the_environment_and_uploads_the_package_as_it_is()
    {
        _fwtool.Environment["DX_PASSWORD"] = FakeCloud.Password;

        var result = await PublishAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["POST /api/auth/login", "POST /api/updates/packages"], _cloud.Requests);
        var (contentType, body) = Assert.Single(_cloud.Uploads);
        Assert.Equal("application/octet-stream", contentType);
        Assert.Equal(await File.ReadAllBytesAsync(_package, TestContext.Current.CancellationToken), body);
        Assert.Contains("published lx500-fw-2.4.1: firmware 2.4.1", result.Out, StringComparison.Ordinal);
        Assert.Contains("uploading: done", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_the_password_from_the_first_line_of_standard_input()
    {
        _fwtool.Input = FakeCloud.Password + "\nnot the password\n";

        var result = await PublishAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Says_so_when_the_identical_package_is_already_published()
    {
        _fwtool.Environment["DX_PASSWORD"] = FakeCloud.Password;
        await PublishAsync();

        var again = await PublishAsync();

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already published", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_the_clouds_reason_and_nothing_is_uploaded()
    {
        _fwtool.Environment["DX_PASSWORD"] = "guess";

        var result = await PublishAsync();

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("Sign-in failed: The e-mail address or the password is wrong.", result.Error, StringComparison.Ordinal);
        Assert.Empty(_cloud.Uploads);
    }

    [Theory]
    [InlineData(409, "Package id taken", "lx500-fw-2.4.1 was published before with other content.")]
    [InlineData(422, "Signature not trusted", "signed only by key(s) 0011223344556677, none of them trusted here")]
    [InlineData(403, "Forbidden", "Publishing packages needs the release-manager role.")]
    public async Task A_refusal_prints_the_problems_title_and_detail_and_exits_1(int status, string title, string detail)
    {
        _fwtool.Environment["DX_PASSWORD"] = FakeCloud.Password;
        _cloud.PublishRefusal = (status, title, detail);

        var result = await PublishAsync();

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains($"({status} ", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{title}: {detail}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_password_at_all_is_a_usage_error()
    {
        var result = await PublishAsync();

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("DX_PASSWORD", result.Error, StringComparison.Ordinal);
        Assert.Empty(_cloud.Requests);
    }

    [Fact]
    public async Task An_unsigned_package_is_not_uploaded()
    {
        _fwtool.Environment["DX_PASSWORD"] = FakeCloud.Password;
        var unsigned = await _fwtool.PackAsync(FirmwareImages.Create(128 * 1024, seed: 10).Bytes, "2.4.2");

        var result = await PublishAsync(unsigned);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("is unsigned", result.Error, StringComparison.Ordinal);
        Assert.Empty(_cloud.Requests);
    }

    [Fact]
    public async Task A_cloud_nobody_answers_at_is_a_network_error()
    {
        _fwtool.Environment["DX_PASSWORD"] = FakeCloud.Password;

        var result = await _fwtool.RunAsync("publish", _package, "--cloud", $"http://127.0.0.1:{FreePort.Next()}", "--email", FakeCloud.Email);

        Assert.Equal(ExitCodes.IoOrNetwork, result.ExitCode);
        Assert.Contains("could not be reached", result.Error, StringComparison.Ordinal);
    }
}
