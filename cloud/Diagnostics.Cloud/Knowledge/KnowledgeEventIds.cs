namespace Diagnostics.Cloud.Knowledge;

/// <summary>Log event ids of Knowledge; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class KnowledgeEventIds
{
    public const int KnowledgeImported = 600;
    public const int KnowledgeArticleRefused = 601;
    public const int KnowledgeDraftSaved = 602;
    public const int KnowledgePublished = 603;
    public const int KnowledgeStoredVersionInvalid = 604;
    public const int KnowledgePhraseProposed = 605;
    public const int KnowledgePhraseDecided = 606;
}
