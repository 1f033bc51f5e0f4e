namespace Diagnostics.Agent.Collectors;

/// <summary>
/// While a collector backs off from a device that stopped answering, asks the device cheaply and often whether it is
/// back (a TCP connect for IPP, one small GET for SNMP), so a device that returns is read again within a probe
/// interval instead of at the end of a backoff of a minute or more. Only a change from "does not answer" to "answers"
/// counts: a printer that accepts connections but answers nonsense keeps its backoff.
/// </summary>
internal sealed class RecoveryProbe : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<bool>> _answers;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Action _recovered;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private Task _loop = Task.CompletedTask;
    private long _probes;

    /// <param name="answers">True when the device answers the cheap question; expected failures are false, never thrown.</param>
    /// <param name="recovered">Called once when a device that did not answer answers again; probing then stops.</param>
    public RecoveryProbe(Func<CancellationToken, Task<bool>> answers, TimeSpan interval, TimeProvider time, Action recovered)
    {
        _answers = answers;
        _interval = interval;
        _time = time;
        _recovered = recovered;
    }

    /// <summary>Probes sent since start (for tests and diagnostics).</summary>
    public long Probes => Interlocked.Read(ref _probes);

    public bool IsRunning
    {
        get
        {
            lock (_gate)
                return _running is not null;
        }
    }

    /// <summary>Starts probing unless it already is. <paramref name="answeredAtFailure"/>: whether the device still answered the cheap question when the read failed (false: connection refused; null: not known).</summary>
    public void Start(bool? answeredAtFailure)
    {
        lock (_gate)
        {
            if (_running is not null)
                return;
            _running = new CancellationTokenSource();
            var token = _running.Token;
            _loop = Task.Run(() => RunAsync(answeredAtFailure, token), CancellationToken.None);
        }
    }

    /// <summary>Stops probing (the device was read again).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _running?.Cancel();
            _running?.Dispose();
            _running = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_gate)
            loop = _loop;
        Stop();
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(bool? answered, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_interval, _time, cancellationToken);
                Interlocked.Increment(ref _probes);
                var answers = await _answers(cancellationToken);
                if (answers && answered == false)
                {
                    lock (_gate)
                    {
                        if (cancellationToken.IsCancellationRequested)
                            return;
                        _running?.Dispose();
                        _running = null;
                    }
                    _recovered();
                    return;
                }
                answered = answers;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the device was read again, or the collector is going away.
        }
    }
}
