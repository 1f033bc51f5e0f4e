namespace Diagnostics.Testing;

/// <summary>
/// A real nginx on a free loopback port in front of several cloud instances (round robin, WebSockets passed through),
/// with its own configuration, prefix and pid file in a temporary folder, run in the foreground and stopped by its
/// own process id.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private NginxProxy(ChildProcess process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>The response header naming the instance (host:port) that answered; nginx lists each it tried, the last answered.</summary>
    public const string UpstreamHeader = "X-Upstream-Address";

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>The folder holding nginx.conf (the sample in cloud/README.md follows it), logs and the pid file.</summary>
    public string Directory { get; }

    public string Log => _process.Tail();

    public static async Task<NginxProxy> StartAsync(IReadOnlyList<Uri> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        var nginx = ExternalTools.Require("nginx", "apt-get install nginx");
        var directory = Path.Combine(Path.GetTempPath(), "dx-nginx", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var port = FreePort.Next();
        var servers = string.Join("\n", upstreams.Select(u => $"        server {u.Host}:{u.Port} max_fails=1 fail_timeout=2s;"));
        // Run as root (CI), nginx would switch its workers to nobody, who cannot write the temporary folders here.
        var user = Environment.UserName == "root" ? "user root;\n" : "";
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log stderr notice;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                upstream diagnostics {
            {{servers}}
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://diagnostics;
                        proxy_http_version 1.1;
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_read_timeout 120s;
                        proxy_next_upstream error timeout http_502 http_503;
                        # Which instance answered (tests only, see UpstreamHeader): not in the README's sample.
                        add_header {{UpstreamHeader}} $upstream_addr always;
                    }
                }
            }
            """, cancellationToken);
        var process = ChildProcess.StartExecutable("nginx", nginx, ["-p", directory, "-c", Path.Combine(directory, "nginx.conf")]);
        var proxy = new NginxProxy(process, port, directory);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (process.HasExited)
                    throw new InvalidOperationException("nginx exited at start:\n" + process.Tail());
                using var probe = new System.Net.Sockets.TcpClient();
                try
                {
                    await probe.ConnectAsync("127.0.0.1", port, cancellationToken);
                    return true;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    return false;
                }
            }, "nginx listens", TimeSpan.FromSeconds(20));
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the nginx this fixture started (SIGTERM to its own id, then SIGKILL), never another one.</summary>
    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(5));
        await _process.DisposeAsync();
    }
}
