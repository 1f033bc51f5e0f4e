using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// The host's real telemetry store (SQLite or PostgreSQL) with a hand on its writes: while held, a batch waits before it is written, as it
/// does when the store falls behind under load, so a test can order events around a late write exactly.
/// </summary>
public sealed class HeldTelemetryStore : ITelemetryStore
{
    private readonly ITelemetryStore _inner;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _release;
    private TaskCompletionSource _entered = NewSignal();

    private HeldTelemetryStore(ITelemetryStore inner) => _inner = inner;

    /// <summary>Replaces the host's telemetry store with a held one; <paramref name="created"/> receives it when the host builds it.</summary>
    public static Action<IServiceCollection> Install(Action<HeldTelemetryStore> created) => services =>
    {
        // The host registers its engine's store with a factory; the held one wraps what that factory makes.
        var real = services.Last(d => d.ServiceType == typeof(ITelemetryStore)).ImplementationFactory
            ?? throw new InvalidOperationException("The host's telemetry store is expected to be registered with a factory.");
        services.Replace(ServiceDescriptor.Singleton<ITelemetryStore>(sp =>
        {
            var store = new HeldTelemetryStore((ITelemetryStore)real(sp));
            created(store);
            return store;
        }));
    };

    /// <summary>From now on, batches wait for <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _release = NewSignal();
            _entered = NewSignal();
        }
    }

    /// <summary>Completes once a batch is waiting since the last <see cref="Hold"/>.</summary>
    public Task WaitUntilABatchWaitsAsync()
    {
        lock (_lock)
            return _entered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    public void Release()
    {
        lock (_lock)
        {
            _release?.TrySetResult();
            _release = null;
        }
    }

    public Task<IReadOnlyDictionary<string, SequenceTracker>> LoadStreamsAsync(CancellationToken cancellationToken) => _inner.LoadStreamsAsync(cancellationToken);

    public async Task<IReadOnlyDictionary<string, ulong>> WriteBatchAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        Task? waitFor = null;
        lock (_lock)
        {
            if (_release is { } release)
            {
                _entered.TrySetResult();
                waitFor = release.Task;
            }
        }
        if (waitFor is not null)
            await waitFor.WaitAsync(cancellationToken);
        return await _inner.WriteBatchAsync(batch, cancellationToken);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
