using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Storage;

/// <summary>Where the SQLite database lives. Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Path of the SQLite file, relative to the working directory unless rooted.</summary>
    [Required]
    public string Path { get; set; } = "data/diagnostics.db";
}
