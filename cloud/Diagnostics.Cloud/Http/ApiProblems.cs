using System.Globalization;
using System.Resources;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Http;

/// <summary>
/// Problem details (<c>application/problem+json</c>) in one shape for every API of the cloud. The words a person reads
/// (<c>title</c>, <c>detail</c>) are in the reader's language (the request's UI culture, which request localization set
/// from <c>?culture=</c>, the account, the culture cookie or Accept-Language), from
/// <c>Resources/Http/ApiProblems{,.zh-Hans,.ja}.resx</c>; what a program matches on (<c>status</c>, <c>type</c> and
/// <c>code</c>) is the same in every language.
/// </summary>
public static class ApiProblems
{
    // The same resources and culture an IStringLocalizer would read; a static class cannot be a localizer's type
    // argument, and the problems are built in static endpoint helpers that have no services at hand.
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Http.ApiProblems", typeof(ApiProblems).Assembly);

    /// <summary>
    /// A problem whose title is <c>{code}.Title</c> and whose detail is <c>{code}.Detail</c> with <paramref name="details"/>
    /// filled in (<c>{0}</c>, <c>{1}</c> …), both in the reader's language.
    /// </summary>
    public static ProblemDetails Create(int status, string code, params object?[] details) =>
        Build(status, code, string.Format(CultureInfo.CurrentCulture, Text(code + ".Detail"), details));

    /// <summary>
    /// A problem whose title is <c>{code}.Title</c> in the reader's language and whose detail was written by the
    /// service that refused (a validation message, a state explanation), passed on as it is.
    /// </summary>
    public static ProblemDetails Explained(int status, string code, string? detail) => Build(status, code, detail ?? "");

    /// <summary>The title of <paramref name="code"/> alone, for a validation problem that lists its errors field by field.</summary>
    public static string Title(string code) => Text(code + ".Title");

    private static ProblemDetails Build(int status, string code, string detail)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = Text(code + ".Title"),
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>The text in the reader's language, else English; a code without a text (a test checks for none) shows its name rather than failing the answer.</summary>
    private static string Text(string name) => Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name;
}
