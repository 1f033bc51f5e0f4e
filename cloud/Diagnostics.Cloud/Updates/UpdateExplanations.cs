using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol.Updates;

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

    /// <summary>
    /// A packaging rule a manifest breaks, in the reader's language, from the rule's code and values (the texts
    /// <c>Rule.{Code}</c>). A code this cloud has no text for (a newer signing tool's) is quoted as the tool printed it.
    /// </summary>
    public static string Rule(ManifestProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var name = "Rule." + problem.Code;
        if (Texts.Manager.GetString(name, CultureInfo.InvariantCulture) is null)
            return Text("Check.ManifestMalformed", problem.Text);
        var values = problem.Values;
        object?[] args = problem.Code switch
        {
            // The one named, then the choices: the choices as a list in the reader's language.
            ManifestProblem.UnknownOs or ManifestProblem.UnknownArchitecture or ManifestProblem.PlatformWithoutForm when values.Count > 0 =>
                [values[0], LocalizedTexts.List(values.Skip(1))],
            ManifestProblem.DriverForms => [LocalizedTexts.List(values)],
            ManifestProblem.ManifestSize => [.. values.Select(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (object)v)],
            _ => [.. values],
        };
        return Text("Check.ManifestRule", Texts.Format(name, args));
    }
}
