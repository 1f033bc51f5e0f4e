using System.Globalization;
using Diagnostics.Cloud.Support;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// A chat line in another language only where the service has its text in both, and the language an agent is told a
/// customer reads.
/// </summary>
public sealed class MessageTranslationTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-Hans");
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    private static readonly IReadOnlyList<CannedReply> Canned =
    [
        new("cr-en", "Greeting", "Hello {customer}, this is {agent} from support.", "Diagnostics", DateTimeOffset.UnixEpoch, "en", "Greeting"),
        new("cr-zh", "问候", "{customer}您好，我是客服 {agent}。", "Diagnostics", DateTimeOffset.UnixEpoch, "zh-Hans", "Greeting"),
        new("cr-own", "Mine", "Hello {customer}, one moment.", "Alex", DateTimeOffset.UnixEpoch, "en"),
    ];

    [Fact]
    public void The_assistants_Chinese_line_reads_in_Japanese_and_English_as_the_assistant_writes_it_there()
    {
        Assert.Equal("Let's try something else.", MessageTranslation.Translate("我们换个方法试试。", AuthorKind.Bot, Chinese, English, Canned));
        Assert.Equal("別の方法を試してみましょう。", MessageTranslation.Translate("我们换个方法试试。", AuthorKind.Bot, Chinese, Japanese, Canned));
    }

    [Fact]
    public void A_stored_conversation_line_keeps_its_names_in_the_readers_language()
    {
        var stored = SupportSystemText.Write("Transferred", "Alex", "Kim");

        Assert.Equal("Alex handed the conversation to Kim.", stored);
        Assert.Equal("Alex 已将对话转交给 Kim。", MessageTranslation.Translate(stored, AuthorKind.System, CultureInfo.InvariantCulture, Chinese, Canned));
        Assert.Equal("Alex が会話を Kim に引き継ぎました。", MessageTranslation.Translate(stored, AuthorKind.System, CultureInfo.InvariantCulture, Japanese, Canned));
    }

    [Fact]
    public void A_canned_reply_sent_in_Chinese_reads_as_the_same_topics_English_reply_with_the_same_names()
    {
        Assert.Equal("Hello 小明, this is Alex from support.",
            MessageTranslation.Translate("小明您好，我是客服 Alex。", AuthorKind.Agent, Chinese, English, Canned));
    }

    [Fact]
    public void What_a_person_typed_freely_and_a_reply_written_in_one_language_only_are_not_translated()
    {
        Assert.Null(MessageTranslation.Translate("打印机又卡纸了", AuthorKind.Customer, Chinese, English, Canned));
        Assert.Null(MessageTranslation.Translate("I moved it to another room.", AuthorKind.Agent, English, Chinese, Canned));
        Assert.Null(MessageTranslation.Translate("Hello 小明, one moment.", AuthorKind.Agent, English, Chinese, Canned));
    }

    [Fact]
    public void The_customers_language_is_what_they_write_in_else_their_choice_else_English()
    {
        static SupportMessage Said(string text, AuthorKind author = AuthorKind.Customer) =>
            new("s", 1, MessageKind.Text, author, "c", "C", text, false, null, DateTimeOffset.UnixEpoch);

        Assert.Equal("zh-Hans", ConversationLanguage.Of([Said("打印机卡纸了")], "ja").Name);
        Assert.Equal("ja", ConversationLanguage.Of([Said("紙詰まりです")], null).Name);
        Assert.Equal("ja", ConversationLanguage.Of([Said("paper jam")], "ja").Name);
        Assert.Equal("en", ConversationLanguage.Of([Said("paper jam"), Said("我们换个方法试试。", AuthorKind.Bot)], null).Name);
    }
}
