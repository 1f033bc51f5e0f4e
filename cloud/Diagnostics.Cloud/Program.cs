using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Demo;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Web;

if (DevicesCli.IsCommand(args))
    return await DevicesCli.RunAsync(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddStorage();
builder.AddDevices();
builder.AddIngestion();
builder.AddBroker();
builder.AddDemoFleet();
builder.AddApiDocumentation();

var app = builder.Build();

app.MapApiDocumentation();
app.MapDevicesApi();
app.MapObservability();
app.AnnounceUrls();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
