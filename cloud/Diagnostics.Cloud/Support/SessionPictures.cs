using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>Pictures in a chat: taken only when their bytes say they are one of <see cref="ImageTypes"/>, stored, then posted as a card.</summary>
public sealed class SessionPictures(SupportMessageStore messageStore, SessionPosting posting, IOptions<SupportOptions> options)
{
    /// <summary>Pictures a chat takes, by what their first bytes say they are (the declared type must agree).</summary>
    public static readonly IReadOnlyList<string> ImageTypes = ["image/png", "image/jpeg", "image/webp"];

    private SupportOptions Settings => options.Value;

    /// <summary>Stores a picture (PNG, JPEG or WebP, checked by its bytes, at most the configured size) and its message.</summary>
    public async Task<SupportResult<SupportMessage>> PostImageAsync(
        SupportSession session, SessionActor author, string? declaredType, byte[] content, string? caption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(content);
        if (session.State == SessionState.Closed)
            return SupportResult<SupportMessage>.Fail(SupportError.Closed, SupportExplanations.Text("ClosedOpenNew"));
        if (content.Length == 0)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("PictureEmpty"));
        if (content.Length > Settings.MaxImageBytes)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("PictureTooLargeThis", Settings.MaxImageBytes / 1024, content.Length / 1024));
        var sniffed = ImageTypeOf(content);
        if (sniffed is null)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("OnlyPictures", string.Join(", ", ImageTypes)));
        if (declaredType is not null && !string.Equals(declaredType.Split(';')[0].Trim(), sniffed, StringComparison.OrdinalIgnoreCase))
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("TypeMismatch", declaredType, sniffed));
        if (caption is { Length: > 500 })
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("CaptionLength"));
        var image = new SupportImage($"img-{Guid.NewGuid():N}", session.Id, sniffed, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), content);
        await messageStore.AddImageAsync(image, cancellationToken);
        return SupportResult<SupportMessage>.Done(await posting.PostCardAsync(session.Id, author, MessageKind.Image,
            SupportCardText.Write(new ImageCard(image.Id, image.ContentType, image.Bytes, string.IsNullOrWhiteSpace(caption) ? null : caption.Trim())), cancellationToken));
    }

    /// <summary>The type a picture's first bytes say it is, or null for anything else.</summary>
    public static string? ImageTypeOf(ReadOnlySpan<byte> content) => content switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };
}
