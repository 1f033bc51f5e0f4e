using System.Net;
using System.Net.Sockets;
using Diagnostics.Agent.Collectors.Snmp;
using Diagnostics.Agent.Collectors.Snmp.Ber;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors.Snmp;

/// <summary>The client against a scripted in-process agent, for what a well-behaved snmpd never does.</summary>
public sealed class SnmpClientTests
{
    private static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");

    [Fact]
    public async Task Garbage_and_responses_to_other_requests_are_ignored_until_the_matching_one_arrives()
    {
        var ct = TestContext.Current.CancellationToken;
        using var agent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = ClientFor(agent);

        var get = client.GetAsync([SysDescr], ct);
        var request = await agent.ReceiveAsync(ct);
        var decoded = SnmpCodec.Decode(request.Buffer).Message!;
        await agent.SendAsync(new byte[] { 0x30, 0x82, 0xFF }, request.RemoteEndPoint, ct);
        await agent.SendAsync(Response(decoded.RequestId + 1, 0, new VarBind(SysDescr, SnmpValue.FromString("wrong"))), request.RemoteEndPoint, ct);
        await agent.SendAsync(Response(decoded.RequestId, 0, new VarBind(SysDescr, SnmpValue.FromString("right"))), request.RemoteEndPoint, ct);

        var answer = await get;

        Assert.Equal("right", Assert.Single(answer).Value.AsText());
    }

    [Fact]
    public async Task An_error_status_from_the_agent_throws_with_the_status()
    {
        var ct = TestContext.Current.CancellationToken;
        using var agent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = ClientFor(agent);

        var get = client.GetAsync([SysDescr], ct);
        var request = await agent.ReceiveAsync(ct);
        var id = SnmpCodec.Decode(request.Buffer).Message!.RequestId;
        await agent.SendAsync(Response(id, (int)SnmpErrorStatus.TooBig, new VarBind(SysDescr, SnmpValue.Null)), request.RemoteEndPoint, ct);

        var error = await Assert.ThrowsAsync<SnmpException>(() => get);
        Assert.Equal(SnmpErrorStatus.TooBig, error.Status);
    }

    [Fact]
    public async Task A_walk_stops_at_the_row_limit_even_when_the_agent_never_ends_the_table()
    {
        var ct = TestContext.Current.CancellationToken;
        using var agent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = ClientFor(agent);
        var table = Oid.Parse("1.3.6.1.2.1.43.18.1.1.8.1");

        var walk = client.WalkAsync(table, maxRows: 5, ct);
        // An endless table: every GETNEXT gets the row after the one asked for.
        while (!walk.IsCompleted)
        {
            var received = agent.ReceiveAsync(ct).AsTask();
            if (await Task.WhenAny(received, walk) == walk)
                break;
            var request = SnmpCodec.Decode((await received).Buffer).Message!;
            var asked = request.VarBinds[0].Oid;
            var next = asked == table ? table.Append(1) : table.Append(asked.Parts[^1] + 1);
            await agent.SendAsync(Response(request.RequestId, 0, new VarBind(next, SnmpValue.FromString("row"))), (await received).RemoteEndPoint, ct);
        }

        Assert.Equal(5, (await walk).Count);
    }

    [Fact]
    public async Task A_walk_stops_when_the_agent_answers_out_of_order()
    {
        var ct = TestContext.Current.CancellationToken;
        using var agent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = ClientFor(agent);
        var table = Oid.Parse("1.3.6.1.2.1.43.11.1.1.9.1");

        var walk = client.WalkAsync(table, maxRows: 100, ct);
        for (var i = 0; i < 2; i++)
        {
            var received = await agent.ReceiveAsync(ct);
            var request = SnmpCodec.Decode(received.Buffer).Message!;
            // Always the same row: an agent bug that would otherwise loop for ever.
            await agent.SendAsync(Response(request.RequestId, 0, new VarBind(table.Append(1), SnmpValue.FromInteger(5))), received.RemoteEndPoint, ct);
        }

        Assert.Single(await walk);
    }

    private static SnmpClient ClientFor(UdpClient agent)
    {
        var options = new SnmpCollectorOptions { Host = "127.0.0.1", Port = ((IPEndPoint)agent.Client.LocalEndPoint!).Port, Timeout = TimeSpan.FromSeconds(5), Retries = 0 };
        return new SnmpClient(options, TimeProvider.System, NullLogger<SnmpClient>.Instance);
    }

    private static byte[] Response(int requestId, int errorStatus, params VarBind[] varBinds) =>
        SnmpCodec.Encode(new SnmpMessage(SnmpMessage.VersionV2c, "public"u8.ToArray(), SnmpPduType.GetResponse, requestId, errorStatus, errorStatus == 0 ? 0 : 1, varBinds));
}
