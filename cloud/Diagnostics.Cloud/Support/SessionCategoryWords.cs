using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A session's category (<see cref="SessionCategories"/>, stored in English: what filters and reports match) in the
/// reader's language (the request's UI culture), for the pages and the API's <c>categoryForReader</c> alike; a category
/// no translation knows reads as stored.
/// </summary>
public static class SessionCategoryWords
{
    // The dashboard's texts hold the category names (Category.{name}); the API words them the same.
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Web.Dashboard.DashboardText", typeof(SessionCategoryWords).Assembly);

    public static string ForReader(string? category) =>
        category is null ? "" : Texts.GetString("Category." + category, CultureInfo.CurrentUICulture) ?? category;
}
