using Diagnostics.Cloud.Support;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>A request for a person hands over at once, so a symptom that merely mentions one must not read as one.</summary>
public sealed class SupportBotWordsTests
{
    [Theory]
    [InlineData("Can I talk to a person?")]
    [InlineData("I need to speak to someone")]
    [InlineData("please connect me with a real human")]
    [InlineData("I want an agent")]
    [InlineData("Can someone help me with this")]
    [InlineData("get me a representative")]
    [InlineData("just call me back")]
    [InlineData("Chat with support please")]
    [InlineData("联系人工客服")]
    [InlineData("我要转人工")]
    [InlineData("担当者と話す")]
    [InlineData("オペレーターをお願いします")]
    public void A_request_for_a_person_is_read_as_one(string words) => Assert.True(SupportBot.WantsPerson(words));

    [Theory]
    [InlineData("Someone pressed a pause button or paused the printer from a computer.")]
    [InlineData("Check whether someone paused the printer on purpose")]
    [InlineData("The agent on the printer says it is offline")]
    [InlineData("the operator panel shows 50.1")]
    [InlineData("It needs a technician if a restart does not clear it")]
    [InlineData("paper jam in tray 2")]
    [InlineData("")]
    public void A_mention_of_a_person_in_a_symptom_is_not_a_request(string words) => Assert.False(SupportBot.WantsPerson(words));

    // The quick replies' own words ("已解决", "解決"), typed rather than tapped, and what people say instead.
    [Theory]
    [InlineData("Solved, thanks")]
    [InlineData("已解决")]
    [InlineData("好了，问题解决了")]
    [InlineData("解決")]
    [InlineData("解決しました、ありがとう")]
    [InlineData("直りました")]
    public void Words_that_say_it_worked_are_read_as_solved(string words) => Assert.True(SupportBot.SaysItIsSolved(words));

    [Theory]
    [InlineData("still not solved")]
    [InlineData("还没解决")]
    [InlineData("まだ解決しません")]
    [InlineData("解決しない")]
    [InlineData("打印机卡纸了")]
    public void Words_that_say_it_did_not_work_are_not_solved(string words) => Assert.False(SupportBot.SaysItIsSolved(words));
}
