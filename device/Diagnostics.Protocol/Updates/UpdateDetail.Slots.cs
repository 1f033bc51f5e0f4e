namespace Diagnostics.Protocol.Updates;

// The agent's own A/B slot installer (SlotImageInstaller, SlotStore): what it answers when a step fails, and where those
// answers travel inside the installer steps' details; plus two rare details of the install pipeline. Same rules as the
// codes in UpdateDetail.cs: once shipped, a code keeps its meaning and its values' order; the English Text is what agents
// sent before the code existed. A hook installer's output stays words: it is the external program's, not ours.
public sealed partial record UpdateDetail
{
    /// <summary>A slot has no description, so it is empty or half written. Values: the slot ("a" or "b").</summary>
    public const string SlotIncompleteCode = "SlotIncomplete";
    /// <summary>A slot is described but its image file is missing. Values: the slot.</summary>
    public const string SlotNoImageCode = "SlotNoImage";
    /// <summary>A slot's image is not what its description says. Values: the slot, the image's bytes (invariant digits), its SHA-256, the described bytes, the described SHA-256 (lower-case hex).</summary>
    public const string SlotImageAlteredCode = "SlotImageAltered";
    /// <summary>The slot an image was staged in does not hold that version when it is to be set to boot. Values: the slot, the version.</summary>
    public const string SlotNotHoldingCode = "SlotNotHolding";
    /// <summary>No slot is set to boot (the boot pointer is missing or unreadable). No values.</summary>
    public const string SlotNoneSetCode = "SlotNoneSet";
    /// <summary>The slot being tried replaced none, so there is nothing to go back to (inside <see cref="SlotNoGoodSlotCode"/>). No values.</summary>
    public const string SlotNoPreviousCode = "SlotNoPrevious";
    /// <summary>Going back failed: the slot that ran before does not check out. Values: that problem's code and values (a Slot* code above).</summary>
    public const string SlotNoGoodSlotCode = "SlotNoGoodSlot";
    /// <summary>Neither slot checks out, so nothing boots. Values: the set slot's problem, then the other's, each as its value count (invariant digits), code and values.</summary>
    public const string SlotNeitherBootsCode = "SlotNeitherBoots";
    /// <summary>The device refused the image in a slot that checks out. Values: the slot, the device's message (verbatim).</summary>
    public const string SlotBootRefusedCode = "SlotBootRefused";
    /// <summary>The agent holds no device it can boot (and no pointer). No values.</summary>
    public const string SlotNoDeviceCode = "SlotNoDevice";

    /// <summary>
    /// The health check failed and going back failed too, the installer's answer coded. Used instead of
    /// <see cref="RollbackFailedCode"/> (whose first value is the installer's words, and stays so) when the answer has a code.
    /// Values: the installer's words (English, as RollbackFailed sends them), the installer's answer as its value count
    /// (invariant digits), code and values, then the reason's code and values.
    /// </summary>
    public const string RollbackFailedCodedCode = "RollbackFailedCoded";

    /// <summary>The offer kept in the agent's journal no longer passes its checks (a trusted key was removed since). Values: the check's code and values.</summary>
    public const string JournalOfferRefusedCode = "JournalOfferRefused";
    /// <summary>The offer kept in the agent's journal cannot be read. No values.</summary>
    public const string JournalOfferUnreadableCode = "JournalOfferUnreadable";
    /// <summary>The work on an offer was stopped without a reason of its own. No values.</summary>
    public const string StoppedCode = "Stopped";

    private const string JournalOfferWords = "the journal's copy of the offer no longer passes: ";

    /// <param name="infoFileName">The description's file name, named in the English words only.</param>
    public static UpdateDetail SlotIncomplete(string slot, string infoFileName) =>
        new(SlotIncompleteCode, [slot], $"slot {slot} holds no complete image ({infoFileName} is missing)");

    /// <param name="imageFileName">The image's file name, named in the English words only.</param>
    public static UpdateDetail SlotNoImage(string slot, string imageFileName) => new(SlotNoImageCode, [slot], $"slot {slot} has no {imageFileName}");

    /// <param name="infoFileName">The description's file name, named in the English words only.</param>
    public static UpdateDetail SlotImageAltered(string slot, long size, string sha256, long describedSize, string describedSha256, string infoFileName) =>
        new(SlotImageAlteredCode, [slot, Number(size), sha256, Number(describedSize), describedSha256],
            $"slot {slot}'s image is {Number(size)} bytes with SHA-256 {sha256}; {infoFileName} says {Number(describedSize)} bytes, {describedSha256}");

    public static UpdateDetail SlotNotHolding(string slot, string version) => new(SlotNotHoldingCode, [slot, version], $"slot {slot} does not hold {version}");

    public static UpdateDetail SlotNoneSet() => new(SlotNoneSetCode, [], "no slot is set to boot");

    public static UpdateDetail SlotNoPrevious() => new(SlotNoPreviousCode, [], "no previous slot");

    public static UpdateDetail SlotNoGoodSlot(UpdateDetail problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(SlotNoGoodSlotCode, [problem.Code, .. problem.Values], "there is no good slot to go back to: " + problem.Text);
    }

    public static UpdateDetail SlotNeitherBoots(UpdateDetail problem, UpdateDetail otherProblem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(otherProblem);
        return new(SlotNeitherBootsCode, [.. Counted(problem), .. Counted(otherProblem)], $"neither slot can boot: {problem.Text}; {otherProblem.Text}");
    }

    public static UpdateDetail SlotBootRefused(string slot, string message) =>
        new(SlotBootRefusedCode, [slot, message], $"the device cannot boot slot {slot}: {message}");

    public static UpdateDetail SlotNoDevice() => new(SlotNoDeviceCode, [], "no device to boot");

    /// <summary>
    /// Going back after <paramref name="reason"/> failed with the installer's <paramref name="answer"/>: words stay
    /// <see cref="RollbackFailedCode"/> (a hook's output); a coded answer is <see cref="RollbackFailedCodedCode"/>. Same English either way.
    /// </summary>
    public static UpdateDetail RollbackFailed(UpdateDetail reason, UpdateDetail answer)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(answer);
        var words = RollbackFailed(reason, answer.Text);
        return answer.Code.Length == 0 ? words : words with { Code = RollbackFailedCodedCode, Values = [answer.Text, .. Counted(answer), reason.Code, .. reason.Values] };
    }

    /// <summary>The two slot problems a <see cref="SlotNeitherBootsCode"/> detail carries; null for any other detail or values that do not fit.</summary>
    public (UpdateDetail Problem, UpdateDetail OtherProblem)? AsSlotProblems()
    {
        if (Code != SlotNeitherBootsCode)
            return null;
        var index = 0;
        return ReadCounted(Values, ref index) is { } problem && ReadCounted(Values, ref index) is { } other && index == Values.Count ? (problem, other) : null;
    }

    /// <summary>The slot problem a <see cref="SlotNoGoodSlotCode"/> detail carries; null for any other detail.</summary>
    public UpdateDetail? AsNoGoodSlotProblem() =>
        Code == SlotNoGoodSlotCode && Values.Count > 0 ? new UpdateDetail(Values[0], [.. Values.Skip(1)], "") : null;

    /// <summary>
    /// The installer's coded answer an installer step's detail carries after the installer's words (<see cref="StageFailedCode"/>,
    /// <see cref="ActivateFailedCode"/>, <see cref="RebootFailedCode"/>, <see cref="RebootRolledBackCode"/>,
    /// <see cref="RollbackFailedCodedCode"/>); null when the installer answered in words (a hook) or for any other detail.
    /// </summary>
    public UpdateDetail? AsInstallerAnswer()
    {
        var index = Code switch
        {
            StageFailedCode or ActivateFailedCode or RebootFailedCode => 1,
            RebootRolledBackCode => 2,
            RollbackFailedCodedCode => 1,
            _ => -1,
        };
        if (index < 0 || Values.Count <= index)
            return null;
        if (Code == RollbackFailedCodedCode)
            return ReadCounted(Values, ref index);
        return new UpdateDetail(Values[index], [.. Values.Skip(index + 1)], "");
    }

    /// <summary>The health-check reason a <see cref="RollbackFailedCodedCode"/> detail carries after the installer's answer; null for any other detail.</summary>
    public UpdateDetail? AsCodedRollbackReason()
    {
        if (Code != RollbackFailedCodedCode)
            return null;
        var index = 1;
        return ReadCounted(Values, ref index) is not null && index < Values.Count ? new UpdateDetail(Values[index], [.. Values.Skip(index + 1)], "") : null;
    }

    public static UpdateDetail JournalOfferRefused(UpdateDetail check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Code.Length == 0 ? Words(JournalOfferWords + check.Text) : new(JournalOfferRefusedCode, [check.Code, .. check.Values], JournalOfferWords + check.Text);
    }

    public static UpdateDetail JournalOfferUnreadable() => new(JournalOfferUnreadableCode, [], JournalOfferWords + "it cannot be read");

    public static UpdateDetail Stopped() => new(StoppedCode, [], "stopped");

    /// <summary>The installer's answer after its words, in a detail whose first value has always been those words.</summary>
    private static string[] WordsThenAnswer(UpdateDetail answer) => answer.Code.Length == 0 ? [answer.Text] : [answer.Text, answer.Code, .. answer.Values];

    /// <summary>A nested detail that is not the last thing in its parent's values: its value count first, so the next one can be found.</summary>
    private static string[] Counted(UpdateDetail detail) => [Number(detail.Values.Count), detail.Code, .. detail.Values];

    private static UpdateDetail? ReadCounted(IReadOnlyList<string> values, ref int index)
    {
        if (index + 1 >= values.Count || !int.TryParse(values[index], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            || index + 2 + count > values.Count)
            return null;
        var detail = new UpdateDetail(values[index + 1], [.. values.Skip(index + 2).Take(count)], "");
        index += 2 + count;
        return detail;
    }
}
