using System.Net;
using System.Net.Sockets;
using Diagnostics.Agent.Collectors.Snmp.Ber;
using Microsoft.Extensions.Logging;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>
/// SNMPv2c over UDP: GET of several OIDs and GETNEXT walks, one request in flight at a time. Responses are matched on
/// request id; stray, late or malformed datagrams are logged and ignored. A request is sent again after each timeout,
/// with the same id so a late answer to an earlier attempt still counts.
/// </summary>
public sealed partial class SnmpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly bool _ownsSocket;
    private readonly EndPoint _agent;
    private readonly SnmpCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly byte[] _receiveBuffer;
    private int _nextRequestId;

    /// <summary>Creates and owns a UDP socket for the agent at options' host and port.</summary>
    public SnmpClient(SnmpCollectorOptions options, TimeProvider time, ILogger<SnmpClient> logger)
        : this(CreateSocket(options), ownsSocket: true, ResolveAgent(options), options, time, logger)
    {
    }

    /// <summary>Uses a socket it was given (bound or not) and does not dispose it.</summary>
    public SnmpClient(Socket socket, EndPoint agent, SnmpCollectorOptions options, TimeProvider time, ILogger<SnmpClient> logger)
        : this(socket, ownsSocket: false, agent, options, time, logger)
    {
    }

    private SnmpClient(Socket socket, bool ownsSocket, EndPoint agent, SnmpCollectorOptions options, TimeProvider time, ILogger<SnmpClient> logger)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _socket = socket;
        _ownsSocket = ownsSocket;
        _agent = agent;
        _options = options;
        _time = time;
        _logger = logger;
        _receiveBuffer = new byte[options.MaxResponseBytes + 1];
        // A random start keeps ids from a restarted agent apart from answers still in flight to the old one.
        _nextRequestId = Random.Shared.Next(1, int.MaxValue / 2);
    }

    public EndPoint Agent => _agent;

    /// <summary>GET: one varbind per OID, in order; missing objects come back as noSuchObject/noSuchInstance values.</summary>
    public Task<IReadOnlyList<VarBind>> GetAsync(IReadOnlyList<Oid> oids, CancellationToken cancellationToken) =>
        RequestAsync(SnmpPduType.GetRequest, oids, cancellationToken);

    public Task<IReadOnlyList<VarBind>> GetNextAsync(IReadOnlyList<Oid> oids, CancellationToken cancellationToken) =>
        RequestAsync(SnmpPduType.GetNextRequest, oids, cancellationToken);

    /// <summary>
    /// Every object under <paramref name="root"/> in MIB order, by GETNEXT, at most <paramref name="maxRows"/> of them.
    /// Stops at the end of the subtree, at endOfMibView, or when an agent answers out of order (which would loop).
    /// </summary>
    public async Task<IReadOnlyList<VarBind>> WalkAsync(Oid root, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        var rows = new List<VarBind>();
        var current = root;
        while (true)
        {
            var next = (await GetNextAsync([current], cancellationToken))[0];
            if (next.Value.IsException || !next.Oid.IsUnder(root) || next.Oid <= current)
                return rows;
            if (rows.Count == maxRows)
            {
                Log.WalkTruncated(_logger, root.ToString(), maxRows);
                return rows;
            }
            rows.Add(next);
            current = next.Oid;
        }
    }

    public void Dispose()
    {
        if (_ownsSocket)
            _socket.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task<IReadOnlyList<VarBind>> RequestAsync(SnmpPduType type, IReadOnlyList<Oid> oids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(oids);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var requestId = _nextRequestId++ & int.MaxValue;
            var request = SnmpCodec.Encode(SnmpMessage.Request(type, _options.Community, requestId, oids));
            for (var attempt = 0; attempt <= _options.Retries; attempt++)
            {
                if (attempt > 0)
                    Log.RequestRetried(_logger, _agent.ToString() ?? "", requestId, attempt);
                await _socket.SendToAsync(request, SocketFlags.None, _agent, cancellationToken);
                var response = await ReceiveResponseAsync(requestId, cancellationToken);
                if (response is null)
                    continue;
                if (response.ErrorStatus != 0)
                {
                    var status = (SnmpErrorStatus)response.ErrorStatus;
                    throw new SnmpException(status, response.ErrorIndex,
                        $"SNMP agent {_agent} answered {type} with error {status} at varbind {response.ErrorIndex}.");
                }
                if (response.VarBinds.Count != oids.Count)
                    throw new SnmpException($"SNMP agent {_agent} answered {oids.Count} OIDs with {response.VarBinds.Count} varbinds.");
                return response.VarBinds;
            }
            throw new SnmpTimeoutException(
                $"SNMP agent {_agent} did not answer within {_options.Timeout.TotalSeconds:0.###} s × {_options.Retries + 1} attempts.",
                new UnreachableCause(UnreachableCauses.SnmpSilent, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the SNMP agent at {_agent} did not answer within {_options.Timeout.TotalSeconds:0.###} s ({_options.Retries + 1} attempts): SNMP is off, the community is wrong or a firewall drops it")));
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>The response with this request id, or null when the timeout passes first.</summary>
    private async Task<SnmpMessage?> ReceiveResponseAsync(int requestId, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _agent, linked.Token);
                if (!received.RemoteEndPoint.Equals(_agent))
                {
                    Log.ResponseDiscarded(_logger, received.RemoteEndPoint.ToString() ?? "", "not from the agent");
                    continue;
                }
                if (received.ReceivedBytes > _options.MaxResponseBytes)
                {
                    Log.ResponseDiscarded(_logger, received.RemoteEndPoint.ToString() ?? "", "larger than MaxResponseBytes");
                    continue;
                }
                var decoded = SnmpCodec.Decode(_receiveBuffer.AsSpan(0, received.ReceivedBytes), _options.MaxResponseBytes);
                if (!decoded.Succeeded)
                {
                    Log.ResponseDiscarded(_logger, received.RemoteEndPoint.ToString() ?? "", decoded.ToString());
                    continue;
                }
                var message = decoded.Message!;
                if (message.PduType != SnmpPduType.GetResponse || message.RequestId != requestId)
                {
                    Log.ResponseDiscarded(_logger, received.RemoteEndPoint.ToString() ?? "", $"{message.PduType} for request {message.RequestId}, waiting for {requestId}");
                    continue;
                }
                return message;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // ICMP port unreachable surfaces on the next receive; nobody listens, so this attempt gets no answer.
            Log.ResponseDiscarded(_logger, _agent.ToString() ?? "", "port unreachable");
            await Task.Delay(_options.Timeout, _time, cancellationToken);
            return null;
        }
    }

    private static Socket CreateSocket(SnmpCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var agent = ResolveAgent(options);
        var socket = new Socket(agent.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(agent.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        return socket;
    }

    private static IPEndPoint ResolveAgent(SnmpCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (IPAddress.TryParse(options.Host, out var address))
            return new IPEndPoint(address, options.Port);
        // Resolved once: a printer's DHCP name is resolved again when the collector is created anew.
        var addresses = Dns.GetHostAddresses(options.Host);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SnmpException($"The SNMP host '{options.Host}' does not resolve.");
        return new IPEndPoint(chosen, options.Port);
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.SnmpResponseDiscarded, LogLevel.Debug, "Discarded a datagram from {Sender}: {Reason}")]
        public static partial void ResponseDiscarded(ILogger logger, string sender, string reason);

        [LoggerMessage(AgentLogEvents.SnmpRequestRetried, LogLevel.Debug, "No answer from SNMP agent {Agent} to request {RequestId}; attempt {Attempt} again")]
        public static partial void RequestRetried(ILogger logger, string agent, int requestId, int attempt);

        [LoggerMessage(AgentLogEvents.SnmpWalkTruncated, LogLevel.Warning, "Walk of {Root} stopped after {MaxRows} rows (Snmp:MaxTableRows)")]
        public static partial void WalkTruncated(ILogger logger, string root, int maxRows);
    }
}
