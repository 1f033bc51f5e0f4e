namespace Diagnostics.Cloud.Tests.Knowledge;

/// <summary>Article texts for tests, built from parts so each test changes only what it is about.</summary>
internal static class SampleArticles
{
    public static string Text(
        string id = "paper-jam",
        string title = "Paper jam",
        string codes = "[\"ipp:media-jam\", \"prtAlert:8\"]",
        string conditions = "[PAPER_JAM]",
        string models = "[]",
        string firmware = "\"\"",
        string? remediation = DefaultRemediation,
        string tags = "[paper, stuck, crumpled]",
        string symptoms = "- The printer stopped and shows a jam message.\n- A sheet is stuck inside.",
        string steps = "1. Open the front door.\n2. Pull the paper out slowly with both hands.\n3. Close the door.",
        string notes = "- Repeated jams on one tray point to worn pick-up rollers.") => $"""
        ---
        id: {id}
        title: {title}
        summary: Paper is stuck inside the printer and printing has stopped.
        applies:
          codes: {codes}
          conditions: {conditions}
          models: {models}
          firmware: {firmware}
        {remediation ?? ""}
        tags: {tags}
        ---

        ## Symptoms
        {symptoms}

        ## Customer steps
        {steps}

        ## Agent notes
        {notes}
        """;

    public const string DefaultRemediation = """
        remediation:
          command: clear-paper-path
          action: maintenance
          parameters: { tray: "1" }
          describe: The printer runs its feed rollers once to push out the stuck sheet.
          verify:
            clears: PAPER_JAM
            within: "00:03:00"
        """;
}
