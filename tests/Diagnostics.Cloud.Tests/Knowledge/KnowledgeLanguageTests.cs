using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Knowledge.KnowledgeApiTests;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Knowledge;

/// <summary>
/// Why an article matched and what is wrong with an article an author wrote, read in the reader's language: the API's
/// <c>reasonsForReader</c> and the knowledge list's "why" column for agents, the draft endpoint's and import report's
/// errors for authors. The English the API's <c>reasons</c> and <c>errors</c> always carried stays byte for byte. Expected
/// words are the translators' (Resources/Knowledge/MatchReasons and ArticleErrors); line numbers, keys and values stay literal.
/// </summary>
public sealed class KnowledgeLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Model = "Acme LaserPro 500";

    // 2 verified of 2 on the model, 2 of 3 on all: (2 + 4 × (2 + 2) / (3 + 4)) / (2 + 4) = 0.714…
    public static TheoryData<string, string[]> MatchReasonsByLanguage => new()
    {
        { "en-US", ["exact code: reported code ipp:media-jam", "written for Acme LaserPro 500", "firmware 2.1 is in >=2.0",
            "fixed 2 of 2 times on Acme LaserPro 500; 2 of 3 on all models (smoothed rate 0.71)"] },
        { "zh-CN", ["代码完全一致：设备报告的代码为 ipp:media-jam", "专为 Acme LaserPro 500 编写", "固件 2.1 在适用范围 >=2.0 内",
            "在 Acme LaserPro 500 上 2 次中修复成功 2 次；所有型号 3 次中成功 2 次（平滑成功率 0.71）"] },
        { "ja", ["コードが一致：デバイスが報告したコードは ipp:media-jam", "Acme LaserPro 500 向けの記事", "ファームウェア 2.1 は対象範囲 >=2.0 に含まれます",
            "Acme LaserPro 500 で 2 回中 2 回解決、全機種では 3 回中 2 回（平滑化した成功率 0.71）"] },
        // English text, numbers as a German-speaking region of English writes them (CLDR: decimal comma).
        { "en-DE", ["exact code: reported code ipp:media-jam", "written for Acme LaserPro 500", "firmware 2.1 is in >=2.0",
            "fixed 2 of 2 times on Acme LaserPro 500; 2 of 3 on all models (smoothed rate 0,71)"] },
    };

    [Theory]
    [MemberData(nameof(MatchReasonsByLanguage))]
    public async Task Match_reasons_read_in_the_agents_language_and_the_English_field_is_unchanged(string language, string[] expected)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(models: $"[{Model}]", firmware: "\">=2.0\""));
        var knowledge = host.Services.GetRequiredService<KnowledgeBase>();
        await knowledge.RecordOutcomeAsync("paper-jam", Model, verified: true, Ct);
        await knowledge.RecordOutcomeAsync("paper-jam", Model, verified: true, Ct);
        await knowledge.RecordOutcomeAsync("paper-jam", "Acme ColorJet 220", verified: false, Ct);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var match = (await agent.GetJsonAsync<List<MatchView>>($"/api/kb/match?code=ipp:media-jam&model={Uri.EscapeDataString(Model)}&firmware=2.1")).Single();

        Assert.Equal(expected, match.ReasonsForReader);
        Assert.Equal(
            ["exact code: reported code ipp:media-jam", "written for Acme LaserPro 500", "firmware 2.1 is in >=2.0",
                "fixed 2 of 2 times on Acme LaserPro 500; 2 of 3 on all models (smoothed rate 0.71)"],
            match.Reasons);
    }

    [Theory]
    [InlineData("en", "same problem: condition Paper jam")]
    [InlineData("zh-Hans", "同一问题：卡纸")]
    [InlineData("ja", "同じ問題：紙詰まり")]
    public async Task A_condition_match_names_the_condition_in_plain_words_and_the_API_keeps_its_code(string language, string expected)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text());
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var match = (await supervisor.GetJsonAsync<List<MatchView>>($"/api/kb/match?condition={Conditions.PaperJam}")).Single();

        Assert.Equal([expected, NoResultsFor(language)], match.ReasonsForReader);
        Assert.Equal(["same problem: condition PAPER_JAM", "no results yet (rate starts at 0.50)"], match.Reasons);
    }

    private static string NoResultsFor(string language) => language switch
    {
        "zh-Hans" => "尚无结果（成功率从 0.50 起算）",
        "ja" => "結果はまだありません（成功率は 0.50 から始まります）",
        _ => "no results yet (rate starts at 0.50)",
    };

    [Theory]
    [InlineData("en-US", "exact code: reported code ipp:media-jam")]
    [InlineData("zh-CN", "代码完全一致：设备报告的代码为 ipp:media-jam")]
    [InlineData("ja-JP", "コードが一致：デバイスが報告したコードは ipp:media-jam")]
    public async Task The_knowledge_list_says_why_an_article_was_found_in_the_agents_language(string language, string expected)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text());
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var page = await GetPageAsync(agent, "/dashboard/kb?q=ipp:media-jam");

        Assert.StartsWith(expected + " · ", TestIdText(page, "article-why"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", "exact code: reported code {0}")]
    [InlineData("zh-CN", "代码完全一致：设备报告的代码为 {0}")]
    [InlineData("ja", "コードが一致：デバイスが報告したコードは {0}")]
    public async Task The_device_page_says_why_a_fix_is_suggested_in_the_agents_language(string language, string expected)
    {
        await using var host = new CloudHost();
        var (device, _, _) = await Fixes.FixLoopTests.JammedPairedDeviceAsync(host, "kb-why-1", "FFFF2929");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var page = await GetPageAsync(agent, "/dashboard/devices/kb-why-1");
        var code = Attribute(page, "suggested-fix", "data-code")[0];

        Assert.StartsWith(expected.Replace("{0}", code, StringComparison.Ordinal) + " · ", TestIdText(page, "match-reasons"), StringComparison.Ordinal);
    }

    [Fact]
    public void Search_reasons_word_the_devices_problem_and_the_scores_for_each_reader()
    {
        var jam = ArticleFormat.Parse(SampleArticles.Text()).Article!;
        var toner = ArticleFormat.Parse(SampleArticles.Text(id: "toner-low", title: "Toner low", codes: "[\"ipp:toner-low\"]", conditions: "[TONER_LOW]",
            remediation: null, tags: "[faded, pale]", symptoms: "- Prints look faded and pale.")).Article!;
        var index = new ArticleIndex([(jam, 1), (toner, 1)], []);
        var device = new DeviceContext(null, null, [new DeviceProblem("ipp:media-jam", Conditions.PaperJam, Severity.Error)]);

        var stuck = index.Search("paper stuck", device, limit: 1).Single();
        var vague = index.Search("pale", device, limit: 2).Single(m => m.Article.Id == "paper-jam");
        string[] Read(ArticleMatch match, string culture)
        {
            using var _ = new UiCulture(culture);
            return [.. match.ReasonsForReader];
        }

        // The words the search matched on and its score, as the English field writes them; the reader's list and number follow.
        var english = System.Text.RegularExpressions.Regex.Match(stuck.Reasons[0], @"^words: (?<words>.+, .+) \(text score (?<score>\d+)\.(?<decimals>\d\d)\)$");
        var (words, score) = (english.Groups["words"].Value, english.Groups["score"].Value + "." + english.Groups["decimals"].Value);

        Assert.Equal("paper-jam", stuck.Article.Id);
        Assert.True(english.Success, stuck.Reasons[0]);
        Assert.Equal("the device reports it now: ipp:media-jam (PAPER_JAM)", stuck.Reasons[1]);
        Assert.Equal($"匹配的词：{words.Replace(", ", "、", StringComparison.Ordinal)}（文本得分 {score}）", Read(stuck, "zh-Hans")[0]);
        Assert.Equal($"一致した語：{words.Replace(", ", "、", StringComparison.Ordinal)}（テキストスコア {score}）", Read(stuck, "ja")[0]);
        Assert.Equal("设备当前正报告此问题：ipp:media-jam（卡纸）", Read(stuck, "zh-Hans")[1]);
        Assert.Equal("デバイスが現在この問題を報告中：ipp:media-jam（紙詰まり）", Read(stuck, "ja")[1]);
        Assert.Equal($"words: {words} (text score {score.Replace('.', ',')})", Read(stuck, "de-DE")[0]);
        Assert.Equal("the device reports it now; the words did not mention it", vague.Reasons[^1]);
        Assert.Equal("デバイスが現在この問題を報告中（質問文には出てきません）", Read(vague, "ja")[^1]);
        Assert.Equal("设备当前正报告此问题，但提问中没有提到", Read(vague, "zh-Hans")[^1]);
    }

    [Fact]
    public void Results_on_other_models_read_in_each_language()
    {
        var jam = ArticleFormat.Parse(SampleArticles.Text()).Article!;
        var index = new ArticleIndex([(jam, 1)], [new ArticleOutcomes("paper-jam", "Acme LaserPro 400", Verified: 3, Failed: 0)]);

        var onModel = index.Match(new ProblemQuery("ipp:media-jam", null, "Acme ColorJet 220")).Single();
        var noModel = index.Match(new ProblemQuery("ipp:media-jam", null)).Single();
        using (new UiCulture("ja"))
        {
            Assert.Equal("Acme ColorJet 220 での結果はまだありません。全機種では 3 回中 3 回解決（平滑化した成功率 0.71）", onModel.ReasonsForReader[^1]);
            Assert.Equal("この機種での結果はまだありません。全機種では 3 回中 3 回解決（平滑化した成功率 0.71）", noModel.ReasonsForReader[^1]);
        }
        using (new UiCulture("zh-Hans"))
            Assert.Equal("在 Acme ColorJet 220 上尚无结果；所有型号 3 次中成功 3 次（平滑成功率 0.71）", onModel.ReasonsForReader[^1]);
        Assert.Equal("no results on Acme ColorJet 220 yet; 3 of 3 on all models (smoothed rate 0.71)", onModel.Reasons[^1]);
        Assert.Equal("no results on this model yet; 3 of 3 on all models (smoothed rate 0.71)", noModel.Reasons[^1]);
    }

    [Theory]
    [InlineData("en-US", "applies.conditions: \"NOT_A_CONDITION\" is not a normalized condition (Diagnostics.Protocol.Conditions)", "the section '## Agent notes' is missing")]
    [InlineData("zh-CN", "applies.conditions：“NOT_A_CONDITION”不是标准化的状况名（见 Diagnostics.Protocol.Conditions）", "缺少章节 '## Agent notes'")]
    [InlineData("ja", "applies.conditions：「NOT_A_CONDITION」は正規化された状態名（Diagnostics.Protocol.Conditions）ではありません", "セクション '## Agent notes' がありません")]
    public async Task A_draft_that_does_not_validate_is_explained_in_the_authors_language(string language, string badCondition, string missingSection)
    {
        await using var host = EmptyKnowledgeHost();
        var author = await host.SignedInClientAsync(AccountRole.Agent);
        author.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var markdown = SampleArticles.Text(conditions: "[NOT_A_CONDITION]").Replace("## Agent notes", "## Notes", StringComparison.Ordinal);

        using var response = await author.PutAsJsonAsync("/api/kb/articles/paper-jam/draft", new { markdown }, Ct);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var errors = problem.RootElement.GetProperty("errors").GetProperty("markdown").EnumerateArray().Select(e => e.GetString()).ToList();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(badCondition, errors);
        Assert.Contains(missingSection, errors);
    }

    [Fact]
    public async Task An_authors_language_from_the_account_reads_the_import_report_and_its_English_errors_stay()
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        using (var set = await supervisor.PutAsJsonAsync("/api/auth/language", new { language = "ja" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);

        var report = await ImportAsync(supervisor, SampleArticles.Text(id: "broken", firmware: "\"about 2\""));

        var refused = Assert.Single(report.Articles);
        Assert.Equal(["applies.firmware: firmware range \"about 2\": \"about\" is not a comparison such as >=2.0 or <3.1"], refused.Errors);
        Assert.Equal(["applies.firmware：ファームウェアの範囲「about 2」：「about」は >=2.0 や <3.1 のような比較式ではありません"], refused.ErrorsForReader);
    }

    [Fact]
    public void Editor_errors_keep_line_numbers_and_headings_literal_in_every_language()
    {
        var swapped = SampleArticles.Text()
            .Replace("## Symptoms", "## TEMP", StringComparison.Ordinal)
            .Replace("## Customer steps", "## Symptoms", StringComparison.Ordinal)
            .Replace("## TEMP", "## Customer steps", StringComparison.Ordinal);
        var parsed = ArticleFormat.Parse(swapped);
        var line = Array.FindIndex(swapped.Split('\n'), l => l == "## Symptoms") + 1;

        using (new UiCulture("zh-Hans"))
            Assert.Contains($"第 {line} 行：'## Symptoms' 的位置不对（章节顺序应为 Symptoms, Customer steps, Agent notes）", parsed.ErrorsForReader);
        using (new UiCulture("ja"))
            Assert.Contains($"{line} 行目：'## Symptoms' の位置が違います（セクションは Symptoms, Customer steps, Agent notes の順です）", parsed.ErrorsForReader);
        Assert.Contains($"line {line}: '## Symptoms' is out of order (the sections go Symptoms, Customer steps, Agent notes)", parsed.Errors);
    }

    [Fact]
    public void Translation_errors_read_in_the_translators_language()
    {
        var translation = """
            ---
            id: paper-jam
            language: ja
            title: 紙詰まり
            summary: 紙が詰まって印刷が止まりました。
            applies:
              codes: [ipp:media-jam]
            ---

            ## Symptoms
            - 印刷が止まります。

            ## Customer steps
            1. 前面カバーを開けます。
            """;
        var parsed = TranslationFormat.Parse(translation.ReplaceLineEndings("\n"), expectedLanguage: "zh-Hans");
        var valid = TranslationFormat.Parse(translation.ReplaceLineEndings("\n").Replace("applies:\n  codes: [ipp:media-jam]\n", "", StringComparison.Ordinal)
            + "\n\n## Agent notes\n- ローラーを確認します。\n");
        var article = ArticleFormat.Parse(SampleArticles.Text()).Article!;

        using var _ = new UiCulture("ja");
        Assert.Equal(
            ["language「ja」が、読み込み元のファイル名またはアドレス（「zh-Hans」）と一致しません",
                "applies：翻訳の適用対象は記事のものを使います。applies は書かないでください",
                "セクション '## Agent notes' がありません（見出しはどの言語でも英語のままです）"],
            parsed.ErrorsForReader);
        Assert.Equal("language \"ja\" differs from the file or address it came from (\"zh-Hans\")", parsed.Errors[0]);
        Assert.True(valid.IsValid, string.Join("\n", valid.Errors));
        Assert.Equal(["remediation.describe：記事には自動修復があります。デバイスが何をするかをこの言語で書いてください"],
            ArticleErrors.ForReader(valid.Translation!.CheckAgainst(article)));
    }
}
