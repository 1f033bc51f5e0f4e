using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Support;

public static class SupportExtensions
{
    /// <summary>Support sessions: the conversation store, its signals, the bot, the queue and the watcher of fix cards.</summary>
    public static IHostApplicationBuilder AddSupport(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SupportSessionStore>();
        builder.Services.AddSingleton<SupportMessageStore>();
        builder.Services.AddSingleton<SupportQueueStore>();
        builder.Services.AddSingleton<CannedReplyStore>();
        builder.Services.AddSingleton<SupportReviewStore>();
        builder.Services.AddSingleton<UnansweredQuestions>();
        builder.Services.AddSingleton<AssistantFigures>();
        builder.Services.AddSingleton<SessionSignals>();
        builder.Services.AddSingleton<IInstanceRelayed>(services => services.GetRequiredService<SessionSignals>());
        builder.Services.AddSingleton<SessionTyping>();
        builder.Services.AddSingleton<FixCardDevices>();
        builder.Services.AddSingleton<SupportBot>();
        builder.Services.AddSingleton<SessionPosting>();
        builder.Services.AddSingleton<SessionAssignment>();
        builder.Services.AddSingleton<SupportService>();
        builder.Services.AddSingleton<SessionCards>();
        builder.Services.AddSingleton<SessionPictures>();
        builder.Services.AddSingleton<CannedReplyService>();
        builder.Services.AddSingleton<SupportSupervision>();
        builder.Services.AddSingleton<ConversationSources>();
        builder.Services.AddSingleton<CustomerConversations>();
        builder.Services.AddSingleton<AgentConversations>();
        builder.Services.AddSingleton<AgentDesk>();
        builder.Services.AddSingleton<SupervisorDesk>();
        builder.Services.AddSingleton<CustomerContexts>();
        builder.Services.AddSingleton<SupportReaderViews>();
        builder.Services.AddHostedService<StarterCannedReplies>();
        builder.Services.AddHostedService<SupportWatcher>();
        return builder;
    }
}
