using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Accounts;

/// <summary>
/// <c>accounts add --email E --role admin|supervisor|agent|customer [--name N]</c>: creates an account in the configured
/// store, the way to make the first admin of a real installation. The password comes from the <c>DX_PASSWORD</c>
/// environment variable or, when that is not set, from the first line of standard input — never from the command line,
/// where other users of the machine could read it. Other arguments are configuration overrides.
/// </summary>
public static class AccountsCli
{
    public const string PasswordVariable = "DX_PASSWORD";

    public static bool IsCommand(string[] args) => args is ["accounts", ..];

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        const string usage = "usage: accounts add --email <address> --role admin|supervisor|agent|customer [--name <display name>] [--Storage:Path=<file>]\n" +
                             $"       the password is read from ${PasswordVariable} or the first line of standard input";
        if (args is not ["accounts", "add", ..])
        {
            await error.WriteLineAsync(usage);
            return 2;
        }
        string? email = null, name = null, roleText = null;
        var configuration = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--email" when i + 1 < args.Length: email = args[++i]; break;
                case "--name" when i + 1 < args.Length: name = args[++i]; break;
                case "--role" when i + 1 < args.Length: roleText = args[++i]; break;
                default: configuration.Add(args[i]); break;
            }
        }
        if (email is null || !Enum.TryParse<AccountRole>(roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            await error.WriteLineAsync(usage);
            return 2;
        }
        var password = Environment.GetEnvironmentVariable(PasswordVariable) ?? await input.ReadLineAsync(cancellationToken) ?? "";

        using var host = await StoreOnlyHost.StartAsync(configuration, builder => builder.AddAccounts(), cancellationToken);
        var (account, creationError) = await host.Services.GetRequiredService<AccountService>().CreateAsync(email, name ?? email, role, password, cancellationToken);
        switch (creationError)
        {
            case AccountCreationError.None:
                await output.WriteLineAsync($"Account {account!.Id} created: {account.Email} ({account.Role}).");
                return 0;
            case AccountCreationError.EmailTaken:
                await error.WriteLineAsync($"An account for '{email}' already exists.");
                return 1;
            case AccountCreationError.WeakPassword:
                await error.WriteLineAsync(PasswordPolicy.Explain(PasswordPolicy.Check(password, email)));
                return 1;
            default:
                await error.WriteLineAsync($"'{email}' is not a valid e-mail address.");
                return 1;
        }
    }
}
