using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// The one database every store keeps its tables in, reached through Dapper: single statements on a connection of
/// their own, or a <see cref="DbSession"/> with a transaction for work that must land together. Stores write portable
/// SQL with <c>@name</c> parameters and ask <see cref="Dialect"/> for what differs between engines.
/// </summary>
public sealed class Database
{
    private readonly ConnectionFactory _connections;

    public Database(ConnectionFactory connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        StorageMapping.Register();
        _connections = connections;
    }

    public SqlDialect Dialect => _connections.Dialect;

    /// <summary>A connection of its own, without a transaction.</summary>
    public async Task<DbSession> OpenAsync(CancellationToken cancellationToken) =>
        new(await _connections.OpenConnectionAsync(cancellationToken), null, Dialect);

    /// <summary>A connection in a write transaction; nothing is kept unless <see cref="DbSession.CommitAsync"/> is called.</summary>
    public async Task<DbSession> BeginAsync(CancellationToken cancellationToken)
    {
        var connection = await _connections.OpenConnectionAsync(cancellationToken);
        IDisposable? turn = null;
        try
        {
            // The turn is held until the session is disposed (after its commit or rollback).
            turn = await _connections.TakeWriteTurnAsync(cancellationToken);
            return new DbSession(connection, await connection.BeginTransactionAsync(cancellationToken), Dialect, turn);
        }
        catch
        {
            turn?.Dispose();
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        return await session.QueryAsync<T>(sql, parameters, cancellationToken);
    }

    public async Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        return await session.QueryFirstOrDefaultAsync<T>(sql, parameters, cancellationToken);
    }

    public async Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        return await session.ExecuteAsync(sql, parameters, cancellationToken);
    }
}

/// <summary>One open connection, with or without a transaction; every statement runs in the transaction when there is one.</summary>
public sealed class DbSession(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, IDisposable? writeTurn = null) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction? Transaction { get; } = transaction;

    public SqlDialect Dialect { get; } = dialect;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
        (await Connection.QueryAsync<T>(Command(sql, parameters, cancellationToken))).AsList();

    public Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
        Connection.QueryFirstOrDefaultAsync<T?>(Command(sql, parameters, cancellationToken));

    public Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken) =>
        Connection.ExecuteAsync(Command(sql, parameters, cancellationToken));

    /// <summary>Rows one at a time, for reads too long to hold (a whole trail to verify).</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(string sql, object? parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in Connection.QueryUnbufferedAsync<T>(sql, parameters, Transaction).WithCancellation(cancellationToken))
            yield return row;
    }

    public Task CommitAsync(CancellationToken cancellationToken) =>
        (Transaction ?? throw new InvalidOperationException("This session has no transaction to commit.")).CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Transaction is not null)
                await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            writeTurn?.Dispose();
        }
    }

    private CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, Transaction, cancellationToken: cancellationToken);
}
