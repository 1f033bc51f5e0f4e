using System.CommandLine;

using Diagnostics.FirmwareTools.CommandLine;

namespace Diagnostics.FirmwareTools.Cloud;

/// <summary>Where the cloud is and who signs in: the options every cloud command takes. The password never is one.</summary>
public sealed class CloudOptions
{
    /// <summary>The environment variable read for the password before standard input.</summary>
    public const string PasswordVariable = "DX_PASSWORD";

    public Option<Uri> Cloud { get; } = new("--cloud")
    {
        Description = "The cloud's address (https://diagnostics.example.com).",
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                return uri;
            result.AddError($"'{text}' is not an http or https address.");
            return null;
        },
    };

    public Option<string> Email { get; } = new("--email")
    {
        Description = $"The staff account to sign in with; the password is read from {PasswordVariable}, else from the first line of standard input.",
        Required = true,
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Add(Cloud);
        command.Add(Email);
    }

    public async Task<CloudClient> SignInAsync(ParseResult parseResult, FwtoolConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(console);
        // Not an option: command lines end up in shell histories and process lists.
        var password = console.Environment(PasswordVariable);
        if (string.IsNullOrEmpty(password))
            password = (await console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r');
        if (string.IsNullOrEmpty(password))
            throw CommandFailedException.Usage($"no password: set {PasswordVariable} or give it as the first line of standard input");
        return await CloudClient.SignInAsync(parseResult.GetRequiredValue(Cloud), parseResult.GetRequiredValue(Email), password, cancellationToken);
    }
}
