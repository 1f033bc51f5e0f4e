using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Why a decision on an update or a release step was refused, as a sentence in the reader's language (the request's UI
/// culture), from <c>Resources/Updates/UpdateExplanations{,.zh-Hans,.ja}.resx</c>; so are the supervisors' refusals
/// (uploading a package, creating, pausing or resuming a rollout), which people read in the console. Checks written by
/// the signing tools (manifest and payload verification) keep their English words: the same text is printed by dx-sign.
/// </summary>
public static class UpdateExplanations
{
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Updates.UpdateExplanations", typeof(UpdateExplanations).Assembly);

    public static string Text(string name, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name, args);
}
