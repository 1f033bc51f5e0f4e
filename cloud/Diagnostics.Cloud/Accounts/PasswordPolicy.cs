using System.Collections.Frozen;

namespace Diagnostics.Cloud.Accounts;

public enum PasswordWeakness
{
    None,
    TooShort,
    /// <summary>On the bundled list of the most common passwords (see <c>PasswordLists/README.md</c>).</summary>
    TooCommon,
    /// <summary>Fewer than <see cref="PasswordPolicy.MinimumDistinctCharacters"/> different characters ("aaaaaaaaaa", "1212121212").</summary>
    TooRepetitive,
    /// <summary>The e-mail address, or the name before its @, is the password or part of it.</summary>
    ContainsEmail,
}

/// <summary>
/// What a new password must be, after NIST SP 800-63B §5.1.1.2: long enough, not one that attackers try first (the
/// bundled list of common passwords, compared ignoring case), not repetitive, not the account's own address. No
/// composition rules: they make passwords harder to remember, not harder to guess.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;

    public const int MinimumDistinctCharacters = 4;

    private const string ListResource = "Diagnostics.Cloud.Accounts.PasswordLists.common-passwords.txt";

    private static readonly Lazy<FrozenSet<string>> CommonPasswords = new(LoadCommonPasswords);

    /// <summary>How many passwords the bundled list holds.</summary>
    public static int CommonPasswordCount => CommonPasswords.Value.Count;

    public static PasswordWeakness Check(string password, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < MinimumLength)
            return PasswordWeakness.TooShort;
        if (CommonPasswords.Value.Contains(password))
            return PasswordWeakness.TooCommon;
        if (password.Distinct().Count() < MinimumDistinctCharacters)
            return PasswordWeakness.TooRepetitive;
        if (!string.IsNullOrWhiteSpace(email))
        {
            var address = email.Trim();
            var name = address.Split('@')[0];
            if (password.Contains(address, StringComparison.OrdinalIgnoreCase) || (name.Length >= 3 && password.Contains(name, StringComparison.OrdinalIgnoreCase)))
                return PasswordWeakness.ContainsEmail;
        }
        return PasswordWeakness.None;
    }

    /// <summary>
    /// What to tell the person, the same on the form, in the API's problem details and on the command line, in the
    /// reader's language (<c>Resources/Accounts/PasswordPolicy{,.zh-Hans,.ja}.resx</c>).
    /// </summary>
    public static string Explain(PasswordWeakness weakness) => weakness switch
    {
        PasswordWeakness.TooShort => Text("TooShort", MinimumLength),
        PasswordWeakness.TooCommon => Text("TooCommon"),
        PasswordWeakness.TooRepetitive => Text("TooRepetitive", MinimumDistinctCharacters),
        PasswordWeakness.ContainsEmail => Text("ContainsEmail"),
        _ => Text("Acceptable"),
    };

    private static readonly System.Resources.ResourceManager Texts = new("Diagnostics.Cloud.Resources.Accounts.PasswordPolicy", typeof(PasswordPolicy).Assembly);

    private static string Text(string name, params object[] args) =>
        string.Format(System.Globalization.CultureInfo.CurrentCulture, Texts.GetString(name, System.Globalization.CultureInfo.CurrentUICulture) ?? name, args);

    private static FrozenSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream(ListResource)
            ?? throw new InvalidOperationException($"The common-password list ({ListResource}) is not in the assembly.");
        using var reader = new StreamReader(stream);
        var passwords = new List<string>(10_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                passwords.Add(line);
        }
        return passwords.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
