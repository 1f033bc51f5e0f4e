using Diagnostics.Cloud.Observability;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Accounts;

public static class AccountsExtensions
{
    public const string CookieName = "dx.auth";

    /// <summary>Accounts, cookie sign-in, role policies, anti-forgery, pairing, and the throttle on sign-in attempts.</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        // The command-line tools build accounts without the rest of the observability set-up.
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<CloudMetrics>();
        builder.Services.TryAddSingleton<IAccountStore, AccountStore>();
        builder.Services.AddSingleton<AttemptCounters>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddOptions<SignInThrottleOptions>()
            .Bind(builder.Configuration.GetSection(SignInThrottleOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<DeviceAccess>();
        builder.Services.AddSingleton<Pairing>();
        builder.Services.AddSingleton<PasswordReset>();
        builder.Services.AddOptions<Diagnostics.Cloud.Mail.MailOptions>()
            .Bind(builder.Configuration.GetSection(Diagnostics.Cloud.Mail.MailOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<Diagnostics.Cloud.Mail.Mailer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Diagnostics.Cloud.Mail.Mailer>());
        builder.Services.AddOptions<PairingOptions>()
            .Bind(builder.Configuration.GetSection(PairingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Several instances: every one reads every other's cookies.
        builder.AddSharedKeyRing();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                // Secure whenever the request is HTTPS; plain HTTP stays usable on a closed demo network.
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/account/login";
                cookie.LogoutPath = "/account/logout";
                cookie.AccessDeniedPath = "/account/denied";
                // Programs (the API, the hub) get a status code, not a redirect to an HTML page.
                cookie.Events.OnRedirectToLogin = context => RespondOrRedirect(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => RespondOrRedirect(context, StatusCodes.Status403Forbidden);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.StaffPolicy, policy => policy.RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin))
            .AddPolicy(Roles.CustomerPolicy, policy => policy.RequireRole(Roles.Customer))
            .AddPolicy(Roles.SupervisorPolicy, policy => policy.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(Roles.AdminPolicy, policy => policy.RequireRole(Roles.Admin));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "dx.antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }

    /// <summary>Authentication, authorization and anti-forgery, in the order they must run.</summary>
    public static WebApplication UseAccounts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    private static Task RespondOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsProgrammaticRequest(context.Request))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static bool IsProgrammaticRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor");
}
