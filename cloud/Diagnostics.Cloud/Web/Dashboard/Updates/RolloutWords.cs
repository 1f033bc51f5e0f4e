using Diagnostics.Cloud.Updates;
using Microsoft.Extensions.Localization;

namespace Diagnostics.Cloud.Web.Dashboard.Updates;

/// <summary>The rollout words both update pages show (a rollout's state, a device's step), in <c>RolloutWords.resx</c>.</summary>
public sealed class RolloutWords(IStringLocalizer<RolloutWords> text)
{
    /// <summary>A rollout's state ("running", "halted") in the reader's language; one newer than the translations as stored.</summary>
    public string RolloutState(string state) => Word("Rollout_" + state, state);

    /// <summary>Where one device is ("downloading", "rolled back") in the reader's language.</summary>
    public string DeviceState(DeviceUpdateState state) => Word("Device_" + state, state.ToStorage());

    private string Word(string name, string fallback)
    {
        var word = text[name];
        return word.ResourceNotFound ? fallback : word.Value;
    }
}
