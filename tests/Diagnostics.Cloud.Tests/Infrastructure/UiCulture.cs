using System.Globalization;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>Sets the thread's cultures for one test, as request localization does for one request.</summary>
internal sealed class UiCulture : IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    public UiCulture(string name) => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);

    public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (_culture, _uiCulture);
}
