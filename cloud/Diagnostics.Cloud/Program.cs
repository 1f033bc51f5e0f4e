using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Broker.Hooks;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Demo;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.EngineMigration;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Hosts;
using Diagnostics.Cloud.Http;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Notifications;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Updates;
using Diagnostics.Cloud.Web;
using Diagnostics.Cloud.Web.Companion;

if (DevicesCli.IsCommand(args))
    return await DevicesCli.RunAsync(args, Console.Out, Console.Error, BrokerExtensions.ForDeviceCommands);
if (AccountsCli.IsCommand(args))
    return await AccountsCli.RunAsync(args, Console.In, Console.Out, Console.Error);
if (AuditCli.IsCommand(args))
    return await AuditCli.RunAsync(args, Console.Out, Console.Error);
if (Diagnostics.Cloud.Demo.DemoCli.IsCommand(args))
    return await Diagnostics.Cloud.Demo.DemoCli.RunAsync(args, Console.Out, Console.Error);
if (SqliteToPostgresCli.IsCommand(args))
    return await SqliteToPostgresCli.RunAsync(args, Console.Out, Console.Error);
if (StorageCli.IsCommand(args))
    return await StorageCli.RunAsync(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddLocalizationSupport();
builder.AddWebSecurity();
builder.AddStorage();
builder.AddCertificates();
builder.AddLiveUpdates();
builder.AddAccounts();
builder.AddDevices();
builder.AddIngestion();
builder.AddNotifications();
builder.AddKnowledgeBase();
builder.AddFixes();
builder.AddUpdates();
builder.AddHosts();
builder.AddSupport();
builder.AddBroker();
builder.AddDemoFleet();
builder.AddApiDocumentation();
builder.AddWebApps();
builder.AddHttps();
builder.AddApiRefusals();

var app = builder.Build();

app.UseWebSecurity();
app.UseNotFoundPage();
app.UseHttps();
app.UseApiRefusals();
app.UseAccounts();
app.UseLocalization();
app.MapApiDocumentation();
app.MapAccountsApi();
app.MapMyDevicesApi();
app.MapLanguagePreference();
app.MapDevicesApi();
app.MapNotificationsApi();
app.MapKnowledgeApi();
app.MapTrainingPhraseApi();
app.MapFixesApi();
app.MapDiagnosticsReportsApi();
app.MapUpdatesApi();
app.MapHostsApi();
app.MapSupportApi();
app.MapBrokerHooks();
app.MapLiveUpdates();
app.MapWebApps();
app.MapCompanionApp();
app.MapObservability(showsDetailsTo: user => user.IsStaff());
app.AnnounceUrls();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
