using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Why a customer's decision on an update was refused, as a sentence in the reader's language (the request's UI
/// culture), from <c>Resources/Updates/UpdateExplanations{,.zh-Hans,.ja}.resx</c>. The operators' refusals (creating,
/// pausing a rollout) stay English: they are read by release tooling and its logs.
/// </summary>
public static class UpdateExplanations
{
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Updates.UpdateExplanations", typeof(UpdateExplanations).Assembly);

    public static string Text(string name, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name, args);
}
