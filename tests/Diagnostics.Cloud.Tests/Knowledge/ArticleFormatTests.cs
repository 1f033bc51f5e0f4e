using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class ArticleFormatTests
{
    [Fact]
    public void A_complete_article_reads_into_every_field()
    {
        var parsed = ArticleFormat.Parse(SampleArticles.Text(models: "[Acme LaserPro 500]", firmware: "\">=2.0 <3\""), expectedId: "paper-jam");

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var article = parsed.Article!;
        Assert.Equal("paper-jam", article.Id);
        Assert.Equal("Paper jam", article.Title);
        Assert.Equal(["ipp:media-jam", "prtAlert:8"], article.Applies.Codes);
        Assert.Equal([Conditions.PaperJam], article.Applies.Conditions);
        Assert.Equal(["Acme LaserPro 500"], article.Applies.Models);
        Assert.Equal(">=2.0 <3", article.Applies.Firmware.Text);
        Assert.Equal(DeviceCommands.ClearPaperPath, article.Remediation!.Command);
        Assert.Equal(ConsentAction.Maintenance, article.Remediation.Action);
        Assert.Equal("1", article.Remediation.Parameters["tray"]);
        Assert.Equal(Conditions.PaperJam, article.Remediation.VerifyClears);
        Assert.Equal(TimeSpan.FromMinutes(3), article.Remediation.VerifyWithin);
        Assert.Equal(["paper", "stuck", "crumpled"], article.Tags);
        Assert.Equal(2, article.Symptoms.Count);
        Assert.Equal(["Open the front door.", "Pull the paper out slowly with both hands.", "Close the door."], article.CustomerSteps);
        Assert.Single(article.AgentNotes);
    }

    [Fact]
    public void An_article_without_remediation_is_valid()
    {
        var parsed = ArticleFormat.Parse(SampleArticles.Text(remediation: null));

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        Assert.Null(parsed.Article!.Remediation);
    }

    [Fact]
    public void A_fix_that_clears_no_condition_leaves_verification_to_the_device_result()
    {
        var identify = """
            remediation:
              command: identify
              action: diagnostics
              describe: The printer beeps and flashes its display so you can see which one it is.
            """;

        var parsed = ArticleFormat.Parse(SampleArticles.Text(remediation: identify));

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        Assert.Null(parsed.Article!.Remediation!.VerifyClears);
        Assert.Null(parsed.Article.Remediation.VerifyWithin);
    }

    [Fact]
    public void A_continuation_line_belongs_to_the_item_above()
    {
        var parsed = ArticleFormat.Parse(SampleArticles.Text(steps: "1. Open the front door\n   and the rear door.\n2. Close both."));

        Assert.Equal(["Open the front door and the rear door.", "Close both."], parsed.Article!.CustomerSteps);
    }

    [Theory]
    [InlineData("codes: [\"media-jam\"]", "not in source:code form")]
    [InlineData("conditions: [PAPER_JAMMED]", "not a normalized condition")]
    [InlineData("firmware: \"about 2\"", "applies.firmware")]
    public void Bad_applicability_is_refused_with_the_reason(string replacement, string expected)
    {
        var key = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        var text = string.Join('\n', SampleArticles.Text().Split('\n').Select(line => line.TrimStart().StartsWith(key + ":", StringComparison.Ordinal) ? "  " + replacement : line));

        var parsed = ArticleFormat.Parse(text);

        Assert.False(parsed.IsValid);
        Assert.Contains(parsed.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_article_that_no_problem_can_reach_is_refused()
    {
        var parsed = ArticleFormat.Parse(SampleArticles.Text(codes: "[]", conditions: "[]"));

        Assert.Contains(parsed.Errors, e => e.StartsWith("applies: name at least one code or condition", StringComparison.Ordinal));
    }

    [Fact]
    public void A_remediation_must_name_a_device_command_with_the_consent_it_needs()
    {
        var unknown = ArticleFormat.Parse(SampleArticles.Text(remediation: SampleArticles.DefaultRemediation.Replace("clear-paper-path", "format-disk", StringComparison.Ordinal)));
        var wrongConsent = ArticleFormat.Parse(SampleArticles.Text(remediation: SampleArticles.DefaultRemediation.Replace("action: maintenance", "action: diagnostics", StringComparison.Ordinal)));
        var noVerify = ArticleFormat.Parse(SampleArticles.Text(remediation: SampleArticles.DefaultRemediation.Replace("    clears: PAPER_JAM\n", "", StringComparison.Ordinal)));

        Assert.Contains(unknown.Errors, e => e.Contains("\"format-disk\" is not a device command", StringComparison.Ordinal));
        Assert.Contains(wrongConsent.Errors, e => e.Contains("clear-paper-path needs the customer's \"maintenance\" consent", StringComparison.Ordinal));
        Assert.Contains(noVerify.Errors, e => e == "remediation.verify.clears is required");
    }

    [Fact]
    public void A_misspelt_header_key_is_an_error_not_a_silently_dropped_rule()
    {
        var parsed = ArticleFormat.Parse(SampleArticles.Text().Replace("  conditions:", "  condition:", StringComparison.Ordinal));

        Assert.False(parsed.IsValid);
        Assert.Contains(parsed.Errors, e => e.StartsWith("line ", StringComparison.Ordinal) && e.Contains("condition", StringComparison.Ordinal));
    }

    [Fact]
    public void Broken_yaml_says_which_line()
    {
        var parsed = ArticleFormat.Parse(SampleArticles.Text(tags: "[paper, stuck"));

        var error = Assert.Single(parsed.Errors);
        Assert.StartsWith("line ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tag_that_is_no_uri_is_a_header_error_not_an_exception()
    {
        // Found by fuzzing: YamlDotNet reports a global tag that is not a URI (YAML 1.2, 6.8.2) with an
        // ArgumentException instead of its YamlException, which went straight through Parse.
        var parsed = ArticleFormat.Parse("---\n!!!]\n---\n## Symptoms\n- jam\n");

        Assert.False(parsed.IsValid);
        Assert.Contains(parsed.Errors, error => error.Contains("YAML header cannot be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Sections_are_required_known_and_in_order()
    {
        var missing = ArticleFormat.Parse(SampleArticles.Text().Replace("## Agent notes", "## Notes", StringComparison.Ordinal));
        var swapped = ArticleFormat.Parse(SampleArticles.Text()
            .Replace("## Symptoms", "## TEMP", StringComparison.Ordinal)
            .Replace("## Customer steps", "## Symptoms", StringComparison.Ordinal)
            .Replace("## TEMP", "## Customer steps", StringComparison.Ordinal));

        Assert.Contains(missing.Errors, e => e.Contains("'## Notes' is not a section", StringComparison.Ordinal));
        Assert.Contains(missing.Errors, e => e == "the section '## Agent notes' is missing");
        Assert.Contains(swapped.Errors, e => e.Contains("out of order", StringComparison.Ordinal));
    }

    [Fact]
    public void The_id_must_match_the_file_and_be_well_formed()
    {
        Assert.Contains(ArticleFormat.Parse(SampleArticles.Text(), expectedId: "toner-low").Errors, e => e.Contains("differs from the file", StringComparison.Ordinal));
        Assert.Contains(ArticleFormat.Parse(SampleArticles.Text(id: "Paper_Jam")).Errors, e => e.StartsWith("id \"Paper_Jam\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_without_a_header_or_too_large_is_refused()
    {
        Assert.StartsWith("line 1:", Assert.Single(ArticleFormat.Parse("# Paper jam\n\nOpen the door.").Errors), StringComparison.Ordinal);
        Assert.Contains("larger than", Assert.Single(ArticleFormat.Parse(SampleArticles.Text(notes: new string('x', ArticleFormat.MaxBytes))).Errors), StringComparison.Ordinal);
    }
}
