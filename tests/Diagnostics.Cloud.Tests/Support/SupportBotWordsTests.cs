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
}
