using System.Globalization;
using System.Resources;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Updates;

namespace Diagnostics.Cloud.Tests.Web.Components;

/// <summary>
/// A fix or an update card in the chat says where it is in the customer's words. The conversation fell back to the
/// state's enum name for the states it had no line for, so a customer reading Chinese saw "Installing" and "RolledBack"
/// once an approved update was on its way (issue 19): every state now has its line in every language.
/// </summary>
public sealed class ConversationStateTextTests
{
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Web.Components.Conversation", typeof(SupportedCultures).Assembly);

    public static TheoryData<string> EveryCardState() =>
        [.. Enum.GetNames<FixState>().Select(state => "Fix." + state), .. Enum.GetNames<DeviceUpdateState>().Select(state => "Update." + state)];

    [Theory]
    [MemberData(nameof(EveryCardState))]
    public void Every_fix_and_update_state_has_its_own_line_in_English_Chinese_and_Japanese(string name)
    {
        var english = Line(name, "en");
        Assert.False(string.IsNullOrWhiteSpace(english), $"{name} has no English line");
        foreach (var language in new[] { "zh-Hans", "ja" })
        {
            var translated = Line(name, language);
            Assert.False(string.IsNullOrWhiteSpace(translated), $"{name} has no {language} line");
            Assert.NotEqual(english, translated);
            Assert.DoesNotMatch("[A-Za-z]{3,}", translated);
        }
    }

    // The language's own resources, without falling back to English.
    private static string? Line(string name, string language)
    {
        var culture = language == "en" ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(language);
        return Texts.GetResourceSet(culture, createIfNotExists: true, tryParents: false)?.GetString(name);
    }
}
