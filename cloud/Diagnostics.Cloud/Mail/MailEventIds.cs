namespace Diagnostics.Cloud.Mail;

/// <summary>Log event ids of Mail; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class MailEventIds
{
    public const int MailFailed = 408;
}
