using System.Net;
using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Tests.Architecture;
using Microsoft.AspNetCore.Components;

namespace Diagnostics.Cloud.Tests.Localization;

/// <summary>
/// No page or component of the apps shows English written into its markup: every word a person reads comes from the
/// resources, so a Chinese or Japanese reader never meets a stray English sentence. The test reads what the Razor
/// compiler made of each component (the strings it hands to the render tree as text, and the literal values of the
/// attributes people read: <c>title</c>, <c>aria-label</c>, <c>placeholder</c>, <c>alt</c>) rather than parsing
/// .razor files, so C# inside the markup never counts as text and markup never escapes the scan. What is written
/// through <c>@T["Key"]</c> or any other expression is not a literal and passes.
/// </summary>
public sealed partial class HardCodedTextTests
{
    // Words that read the same in every language: the product's name and units. Capitals alone (UTC, IPP, ABCD-1234)
    // are codes and acronyms, never counted.
    private static readonly HashSet<string> SameInEveryLanguage = new(StringComparer.Ordinal) { "Diagnostics", "KiB", "MiB" };

    private static readonly HashSet<string> ReadAttributes = new(StringComparer.OrdinalIgnoreCase) { "title", "aria-label", "placeholder", "alt" };

    [Fact]
    public void No_component_of_the_apps_writes_English_into_its_markup()
    {
        var findings = new List<string>();
        foreach (var type in WebComponentTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                foreach (var text in TextsGivenToTheRenderTree(method))
                {
                    if (EnglishWords(text) is { Count: > 0 } words)
                        findings.Add($"{Outermost(type).FullName}: \"{Shorten(text)}\" ({string.Join(' ', words)})");
                }
            }
        }
        Assert.True(findings.Count == 0,
            "Move these texts to the component's resources (Resources/Web/…/X.resx with .zh-Hans and .ja) and write @T[\"Key\"]:\n"
            + string.Join('\n', findings.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void The_scan_finds_English_text_and_readable_attributes_and_passes_codes_and_names()
    {
        Assert.Equal(new[] { "Take", "conversations" }, EnglishWords("<button>Take conversations</button>"));
        Assert.Equal(new[] { "Close" }, EnglishWords("<button aria-label=\"Close\">×</button>"));
        Assert.Equal(new[] { "Search" }, EnglishWords("<input placeholder=\"Search\" class=\"search-box\" data-testid=\"q\">"));
        Assert.Empty(EnglishWords("<span class=\"chip\" data-testid=\"my-load\"> · </span>"));
        Assert.Empty(EnglishWords("<code>PUT /api/auth/language</code> — Diagnostics (UTC) ABCD-1234"));
        Assert.Empty(EnglishWords("卡纸 · 13.20"));
        Assert.Equal(new[] { "Paper" }, EnglishWords("卡纸Paper"));
        // The components hold texts the scan reads: if the compiler changed how markup reaches the render tree, the
        // main test would find nothing and pass; this one fails instead (the fleet overview's legend swatch is static markup).
        var texts = WebComponentTypes().SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .SelectMany(TextsGivenToTheRenderTree).ToList();
        Assert.Contains(texts, text => text.Contains("<span class=\"swatch tone-critical\"></span>", StringComparison.Ordinal));
    }

    /// <summary>
    /// No component shows an enum value's own name (<c>@state</c>, <c>@state.ToString()</c>) or its stored word
    /// (<c>@state.ToStorage()</c>) as text: those are English whatever the reader reads. The audit of issue 19 found
    /// three (a chat card's states, a device's update step, the device list's health filter); each reads through a
    /// resource now, and a value written to <c>data-*</c> attributes or CSS classes is not text and passes.
    /// </summary>
    [Fact]
    public void No_component_shows_a_values_English_name_as_text()
    {
        var findings = new List<string>();
        foreach (var type in WebComponentTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                findings.AddRange(StoredNamesGivenToTheRenderTree(method).Select(shown => $"{Outermost(type).FullName}: {shown}"));
            }
        }
        Assert.True(findings.Count == 0,
            "Show these values through a resource (DashboardText, PlainLanguage or the component's own @T[\"…\"]), not by their name:\n"
            + string.Join('\n', findings.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// The values a method hands to <c>RenderTreeBuilder.AddContent</c> or <c>AddMarkupContent</c> by their name: the
    /// result of a <c>ToStorage()</c> call, an enum's <c>ToString()</c> (<c>constrained.</c> by the enum), or an enum
    /// boxed for <c>AddContent(int, object)</c>, right before the call.
    /// </summary>
    private static IEnumerable<string> StoredNamesGivenToTheRenderTree(MethodInfo method)
    {
        var instructions = MethodBodyTokens.InstructionsOf(method).ToList();
        for (var i = 1; i < instructions.Count; i++)
        {
            if (!instructions[i].IsCall || MethodBodyTokens.MemberNamedBy(method, instructions[i]) is not MethodBase called
                || called.DeclaringType?.Name != "RenderTreeBuilder" || called.Name is not ("AddContent" or "AddMarkupContent"))
                continue;
            var before = instructions[i - 1];
            var named = before.NamesMember ? MethodBodyTokens.MemberNamedBy(method, before) : null;
            if (before.IsCall && named is MethodBase { Name: "ToStorage" } storage)
                yield return $"{storage.DeclaringType?.Name}.ToStorage()";
            else if (before.IsCall && named is MethodBase { Name: "ToString" } && i > 1 && instructions[i - 2].Code == OpCodes.Constrained
                && MethodBodyTokens.MemberNamedBy(method, instructions[i - 2]) is Type { IsEnum: true } constrained)
                yield return $"{constrained.Name}.ToString()";
            else if (before.Code == OpCodes.Box && named is Type { IsEnum: true } boxed)
                yield return $"{boxed.Name} by its name";
        }
    }

    private static IEnumerable<Type> WebComponentTypes() => typeof(SupportedCultures).Assembly.GetTypes()
        .Where(type => type.Namespace?.StartsWith("Diagnostics.Cloud.Web", StringComparison.Ordinal) == true)
        .Where(type => typeof(IComponent).IsAssignableFrom(Outermost(type)));

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
            type = outer;
        return type;
    }

    /// <summary>
    /// The literal strings a method passes to <c>RenderTreeBuilder.AddMarkupContent</c> or <c>AddContent</c>, and to
    /// <c>AddAttribute</c> as the value of an attribute people read, found in its IL: a literal is an <c>ldstr</c> right
    /// before the call that takes it as its last argument.
    /// </summary>
    private static IEnumerable<string> TextsGivenToTheRenderTree(MethodInfo method)
    {
        // The strings loaded by the instructions so far, null for any other instruction: only an ldstr right before
        // the call is its argument.
        var strings = new List<string?>();
        foreach (var instruction in MethodBodyTokens.InstructionsOf(method))
        {
            if (instruction.Code == OpCodes.Ldstr)
            {
                strings.Add(method.Module.ResolveString(instruction.Token));
                continue;
            }
            if (instruction.IsCall && MethodBodyTokens.MemberNamedBy(method, instruction) is MethodBase called
                && called.DeclaringType?.Name == "RenderTreeBuilder" && strings.Count > 0 && strings[^1] is { } last)
            {
                var parameters = called.GetParameters();
                if (called.Name is "AddMarkupContent" or "AddContent" && parameters[^1].ParameterType == typeof(string))
                    yield return last;
                else if (called.Name == "AddAttribute" && parameters.Length == 3 && parameters[2].ParameterType == typeof(string)
                    && strings.Count > 1 && strings[^2] is { } name && ReadAttributes.Contains(name))
                    yield return $"<x {name}=\"{WebUtility.HtmlEncode(last)}\">";
            }
            strings.Add(null);
        }
    }

    /// <summary>The English words a piece of markup shows a reader: its text outside <c>code</c> elements and its readable attributes.</summary>
    private static List<string> EnglishWords(string markup)
    {
        var withoutCode = CodeElement().Replace(markup, " ");
        var read = new List<string> { Tag().Replace(withoutCode, " ") };
        read.AddRange(ReadableAttribute().Matches(withoutCode).Where(m => ReadAttributes.Contains(m.Groups["name"].Value)).Select(m => m.Groups["value"].Value));
        return [.. read.SelectMany(text => LatinWord().Matches(WebUtility.HtmlDecode(text)))
            .Select(m => m.Value)
            .Where(word => !SameInEveryLanguage.Contains(word))];
    }

    private static string Shorten(string text)
    {
        var flat = Regex.Replace(text, @"\s+", " ").Trim();
        return flat.Length <= 120 ? flat : flat[..117] + "...";
    }

    [GeneratedRegex(@"<code\b[^>]*>.*?</code>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CodeElement();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex("""(?<name>[\w-]+)="(?<value>[^"]*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex ReadableAttribute();

    // Two letters or more with a lower-case one: a word, not a code.
    [GeneratedRegex(@"(?<![A-Za-z])(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?![A-Za-z])")]
    private static partial Regex LatinWord();
}
