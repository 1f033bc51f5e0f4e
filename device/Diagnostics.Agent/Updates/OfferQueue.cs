using System.Threading.Channels;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// The offers as they come and the one being worked on: offers are handed on in the order they came, one offer is worked
/// on at a time, and a newer offer waits while the one it supersedes is stopped. Work that has begun installing cannot
/// be stopped. What working on an offer means is the caller's (<see cref="UpdateInstaller"/>).
/// </summary>
internal sealed class OfferQueue : IDisposable
{
    /// <summary>Offers are rare; a burst of re-deliveries beyond this makes the MQTT handler wait.</summary>
    private const int Capacity = 16;

    private readonly Channel<UpdateOffer> _incoming = Channel.CreateBounded<UpdateOffer>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _lock = new();
    private Task? _work;
    private CancellationTokenSource? _workCancel;
    private string? _workOfferId;
    private bool _installing;
    private (UpdateFailure Failure, UpdateDetail Detail)? _cancelReason;
    private UpdateOffer? _next;

    public ValueTask EnqueueAsync(UpdateOffer offer, CancellationToken cancellationToken) =>
        _incoming.Writer.WriteAsync(offer, cancellationToken);

    /// <summary>The id of the offer being worked on, or null when there is no work.</summary>
    public string? WorkingOn
    {
        get
        {
            lock (_lock)
                return _work is null ? null : _workOfferId;
        }
    }

    /// <summary>Why the work was stopped, once <see cref="TryCancel"/> stopped it.</summary>
    public (UpdateFailure Failure, UpdateDetail Detail) CancelReason
    {
        get
        {
            lock (_lock)
                return _cancelReason ?? (UpdateFailure.Withdrawn, UpdateDetail.Stopped());
        }
    }

    /// <summary>Starts <paramref name="work"/> on an offer; it gets a token that <see cref="TryCancel"/> cancels.</summary>
    /// <param name="installing">The work is past the point where it may be stopped (a resumed install).</param>
    public void Start(string offerId, bool installing, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_lock)
        {
            _workCancel?.Dispose();
            _workCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _workOfferId = offerId;
            _installing = installing;
            _cancelReason = null;
            _work = work(_workCancel.Token);
        }
    }

    /// <summary>Stops the offer being worked on if it has not begun installing; true when it was stopped.</summary>
    public bool TryCancel(string offerId, UpdateFailure failure, UpdateDetail detail)
    {
        lock (_lock)
        {
            if (_workOfferId != offerId || _installing || _workCancel is null)
                return false;
            _cancelReason = (failure, detail);
            _workCancel.Cancel();
            return true;
        }
    }

    /// <summary>Passes the point after which the offer is finished whatever comes: false when it was stopped just before.</summary>
    public bool TryBeginInstalling()
    {
        lock (_lock)
        {
            if (_cancelReason is not null)
                return false;
            _installing = true;
            return true;
        }
    }

    /// <summary>Holds <paramref name="offer"/> back until the work ends; a later one replaces it.</summary>
    public void HoldUntilWorkEnds(UpdateOffer offer)
    {
        lock (_lock)
            _next = offer;
    }

    /// <summary>The offer came again by itself: it is no longer held back.</summary>
    public void Release(string offerId)
    {
        lock (_lock)
        {
            if (_next?.OfferId == offerId)
                _next = null;
        }
    }

    /// <summary>
    /// Hands each offer to <paramref name="dispatch"/> as it comes, and the held-back one when the work ends, until
    /// cancelled; then waits for the work to stop.
    /// </summary>
    public async Task RunAsync(Func<UpdateOffer, CancellationToken, Task> dispatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        Task<bool>? waiting = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                waiting ??= _incoming.Reader.WaitToReadAsync(cancellationToken).AsTask();
                Task? work;
                lock (_lock)
                    work = _work;
                await (work is null ? (Task)waiting : Task.WhenAny(waiting, work));
                if (work?.IsCompleted == true)
                    await EndWorkAsync(work, dispatch, cancellationToken);
                if (waiting.IsCompleted)
                {
                    if (!await waiting)
                        break;
                    waiting = null;
                    while (_incoming.Reader.TryRead(out var offer))
                        await dispatch(offer, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the journal says where to carry on.
        }
        finally
        {
            Task? work;
            lock (_lock)
                work = _work;
            if (work is not null)
                await work.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private async Task EndWorkAsync(Task work, Func<UpdateOffer, CancellationToken, Task> dispatch, CancellationToken cancellationToken)
    {
        await work;
        UpdateOffer? next;
        lock (_lock)
        {
            _work = null;
            _workOfferId = null;
            next = _next;
            _next = null;
        }
        if (next is not null)
            await dispatch(next, cancellationToken);
    }

    public void Dispose()
    {
        _incoming.Writer.TryComplete();
        _workCancel?.Dispose();
    }
}
