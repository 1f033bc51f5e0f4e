using System.Threading.Channels;
using Diagnostics.Cloud.Observability;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Diagnostics.Cloud.Mail;

/// <summary>One plain-text mail to one person.</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>
/// Sends mail through the configured SMTP server (MailKit) in the background: the request that asked for it answers at
/// once and the same whether or not a mail goes out, so its timing says nothing about which addresses have accounts.
/// </summary>
public sealed partial class Mailer(IOptions<MailOptions> options, ILogger<Mailer> logger) : BackgroundService
{
    private readonly Channel<OutgoingMail> _outbox = Channel.CreateBounded<OutgoingMail>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public bool Enabled => options.Value.Enabled;

    /// <summary>Queues the mail; false when mail is off or the queue is full (the server is far behind).</summary>
    public bool TrySend(OutgoingMail mail) => Enabled && _outbox.Writer.TryWrite(mail);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in _outbox.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await SendNowAsync(mail, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogMailFailed(ex, options.Value.SmtpHost, options.Value.SmtpPort);
            }
        }
    }

    private async Task SendNowAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var smtp = new SmtpClient();
        var security = settings.Security switch
        {
            MailSecurity.Tls => SecureSocketOptions.SslOnConnect,
            MailSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await smtp.ConnectAsync(settings.SmtpHost, settings.SmtpPort, security, timeout.Token);
        if (settings.UserName.Length > 0)
            await smtp.AuthenticateAsync(settings.UserName, settings.Password, timeout.Token);
        await smtp.SendAsync(message, timeout.Token);
        await smtp.DisconnectAsync(quit: true, timeout.Token);
    }

    [LoggerMessage(EventId = MailEventIds.MailFailed, Level = LogLevel.Warning, Message = "Could not send a mail through {Host}:{Port}")]
    private partial void LogMailFailed(Exception exception, string host, int port);
}
