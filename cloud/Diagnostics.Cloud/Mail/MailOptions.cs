using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Mail;

/// <summary>How the cloud sends e-mail (section <c>Mail</c>): only password-reset links so far. Without a host, nothing is sent.</summary>
public sealed class MailOptions : IValidatableObject
{
    public const string SectionName = "Mail";

    /// <summary>The SMTP server (submission), such as <c>smtp.example.com</c>. Empty: mail is off and "forgot password" is not offered.</summary>
    public string SmtpHost { get; set; } = "";

    /// <summary>Its port: 587 for submission with STARTTLS, 465 for TLS from the start, 25 on a closed network.</summary>
    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary><c>StartTls</c> (default: upgrade or refuse), <c>Tls</c> (port 465), or <c>None</c> (a relay on a closed network only).</summary>
    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>The account on the SMTP server; empty: no authentication.</summary>
    public string UserName { get; set; } = "";

    /// <summary>Its password (from a secret store or the environment, never a committed file).</summary>
    public string Password { get; set; } = "";

    /// <summary>The sender, such as <c>Diagnostics &lt;no-reply@example.com&gt;</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>
    /// Where people reach the cloud, such as <c>https://diagnostics.example.com</c>: links in mails start with it. Taken
    /// from here, never from the request's Host header, which whoever asks for a reset chooses.
    /// </summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>How long one SMTP conversation may take before it is given up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => SmtpHost.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
            yield break;
        if (!MimeKit.MailboxAddress.TryParse(From, out _))
            yield return new ValidationResult("Mail:From must be a sender address (\"Diagnostics <no-reply@example.com>\") when Mail:SmtpHost is set.", [nameof(From)]);
        if (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Query.Length > 0)
            yield return new ValidationResult("Mail:PublicUrl must be the cloud's absolute http(s) address when Mail:SmtpHost is set.", [nameof(PublicUrl)]);
    }
}

public enum MailSecurity
{
    StartTls,
    Tls,
    None,
}
