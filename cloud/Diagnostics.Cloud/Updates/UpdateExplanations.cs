using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Why a decision on an update or a release step was refused, as a sentence in the reader's language (the request's UI
/// culture), from <c>Resources/Updates/UpdateExplanations{,.zh-Hans,.ja}.resx</c>; so are the supervisors' refusals
/// (uploading a package, creating, pausing or resuming a rollout), which people read in the console, and the checks of an
/// uploaded package (signature, manifest, payload). A check's own words as the signing tools print them (fwtool verify)
/// stay English beside it, in the problem's <c>check</c> and in the log.
/// </summary>
public static class UpdateExplanations
{
    private static readonly LocalizedTexts Texts = new("Updates.UpdateExplanations");

    public static string Text(string name, params object?[] args) => Texts.Format(name, args);

    /// <summary>The English text, for logs.</summary>
    public static string Invariant(string name, params object?[] args) => Texts.Invariant(name, args);
}
