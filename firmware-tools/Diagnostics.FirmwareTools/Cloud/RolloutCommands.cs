using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

using Diagnostics.FirmwareTools.CommandLine;

namespace Diagnostics.FirmwareTools.Cloud;

/// <summary><c>fwtool rollout create|status|pause|resume|cancel</c>: staged rollouts of a published package.</summary>
public static class RolloutCommands
{
    /// <summary>How often <c>status --watch</c> asks again.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var rollout = new Command("rollout", "Start and follow staged rollouts of a published package: in waves, halted automatically when too many devices fail.")
        {
            CreateCommand(console),
            StatusCommand(console),
            ActionCommand(console, "pause", "Pause a rollout: no new devices are offered the update; devices already installing finish."),
            ActionCommand(console, "resume", "Resume a paused rollout from the wave it was in."),
            ActionCommand(console, "cancel", "Cancel a rollout for good: offers not yet started are withdrawn; devices already installing finish."),
        };
        return rollout;
    }

    private static Command CreateCommand(FwtoolConsole console)
    {
        var package = new Option<string>("--package") { Description = "The published package id to roll out.", Required = true };
        var name = new Option<string>("--name") { Description = "A name for people; default: the package id." };
        var models = new Option<string[]>("--model") { Description = "Only devices of this model. Repeat for several; default: every model the package names." };
        var fromVersions = new Option<string[]>("--from-version") { Description = "Only devices running this version. Repeat for several; default: any." };
        var tags = new Option<string[]>("--tag") { Description = "Only devices with this tag. Repeat for several." };
        var devices = new Option<string[]>("--device") { Description = "Only this device (id). Repeat for several." };
        var waves = new Option<int[]>("--waves")
        {
            Description = "Cumulative percentages of the targeted devices per wave, rising and ending at 100.",
            DefaultValueFactory = _ => [1, 10, 50, 100],
            CustomParser = ParseWaves,
        };
        var waveWindow = Duration("--wave-window", "How long each wave runs before the next may start (e.g. 30m).", TimeSpan.FromMinutes(30));
        var failureThreshold = new Option<int>("--failure-threshold")
        {
            Description = "Halt the rollout when more than this percentage of a wave's devices fail.",
            DefaultValueFactory = _ => 5,
        };
        failureThreshold.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 100)
                result.AddError("--failure-threshold is a percentage, 0 to 100.");
        });
        var requireApproval = new Option<bool>("--require-approval") { Description = "Each device's owner approves the update first (the default)." };
        var autoApprove = new Option<bool>("--auto-approve-by-policy") { Description = "Install without asking owners who agreed to automatic updates by policy." };
        var maxDeferral = Duration("--max-deferral", "How long an owner may put the update off (e.g. 72h).", TimeSpan.FromHours(72));
        var healthCheck = Duration("--health-check", "How long the new version has to come back healthy before the device switches back (e.g. 5m).", TimeSpan.FromMinutes(5));
        var cloud = new CloudOptions();
        var command = new Command("create", "Create a rollout of a published package and print it.")
        {
            package, name, models, fromVersions, tags, devices, waves, waveWindow, failureThreshold, requireApproval, autoApprove, maxDeferral, healthCheck,
        };
        cloud.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(requireApproval) is not null && result.GetResult(autoApprove) is not null)
                result.AddError("Give --require-approval or --auto-approve-by-policy, not both.");
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var packageId = parseResult.GetRequiredValue(package);
            var request = new CreateRolloutRequest(
                parseResult.GetValue(name) ?? packageId,
                packageId,
                parseResult.GetValue(models) ?? [],
                parseResult.GetValue(fromVersions) ?? [],
                parseResult.GetValue(tags) ?? [],
                parseResult.GetValue(devices) ?? [],
                parseResult.GetRequiredValue(waves),
                (long)parseResult.GetRequiredValue(waveWindow).TotalSeconds,
                parseResult.GetValue(failureThreshold),
                !parseResult.GetValue(autoApprove),
                (long)parseResult.GetRequiredValue(maxDeferral).TotalSeconds,
                (long)parseResult.GetRequiredValue(healthCheck).TotalSeconds);
            using var client = await cloud.SignInAsync(parseResult, console, cancellationToken);
            var created = await client.CreateRolloutAsync(request, cancellationToken);
            console.Out.WriteLine($"created rollout {created.Id}");
            RolloutTable.Write(console.Out, created);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command StatusCommand(FwtoolConsole console)
    {
        var id = new Argument<string>("id") { Description = "The rollout's id." };
        var watch = new Option<bool>("--watch") { Description = $"Ask again every {WatchInterval.TotalSeconds:0} s until the rollout is completed, halted or cancelled." };
        var cloud = new CloudOptions();
        var command = new Command("status", "Show a rollout: its state, each wave's devices and results, and device counts by state.") { id, watch };
        cloud.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var rolloutId = parseResult.GetRequiredValue(id);
            using var client = await cloud.SignInAsync(parseResult, console, cancellationToken);
            var rollout = await client.GetRolloutAsync(rolloutId, cancellationToken);
            RolloutTable.Write(console.Out, rollout);
            while (parseResult.GetValue(watch) && !rollout.IsFinished)
            {
                await Task.Delay(WatchInterval, console.Time, cancellationToken);
                rollout = await client.GetRolloutAsync(rolloutId, cancellationToken);
                console.Out.WriteLine();
                RolloutTable.Write(console.Out, rollout);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ActionCommand(FwtoolConsole console, string action, string description)
    {
        var id = new Argument<string>("id") { Description = "The rollout's id." };
        var cloud = new CloudOptions();
        var command = new Command(action, description) { id };
        cloud.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var rolloutId = parseResult.GetRequiredValue(id);
            using var client = await cloud.SignInAsync(parseResult, console, cancellationToken);
            var rollout = await client.ActOnRolloutAsync(rolloutId, action, cancellationToken);
            console.Out.WriteLine($"rollout {rollout.Id}: {action} accepted");
            RolloutTable.Write(console.Out, rollout);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = $"{description} Default: {DurationText.Format(defaultValue)}.",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = DurationText.ParseArgument,
    };

    private static int[] ParseWaves(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var waves = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out waves[i]) || waves[i] is < 1 or > 100 || (i > 0 && waves[i] <= waves[i - 1]))
            {
                result.AddError($"--waves '{text}': give rising percentages from 1 to 100, separated by commas, ending at 100 (e.g. 1,10,50,100).");
                return [];
            }
        }
        if (waves[^1] != 100)
        {
            result.AddError($"--waves '{text}' must end at 100: the last wave reaches every targeted device.");
            return [];
        }
        return waves;
    }
}
