namespace Diagnostics.Fuzzing;

/// <summary>What a parser did with one input, when it kept its contract.</summary>
public enum ParseOutcome
{
    /// <summary>It returned a value.</summary>
    Value,
    /// <summary>It returned its typed error (a result with an error code, a list of problems, null with a reason).</summary>
    TypedError,
    /// <summary>It threw the exception its documentation names for bad input (InvalidDataException for a delta ...).</summary>
    DocumentedException,
}

/// <summary>
/// One parser that reads bytes from outside, with the real inputs its fuzzing starts from and the contract it must keep:
/// return a value or its typed error, or throw only the exceptions it documents; never another exception type, and
/// never allocate more than <see cref="AllocationBudget"/> for an input (the fuzzer's hang limit covers time).
/// </summary>
public sealed class FuzzTarget
{
    /// <summary>The name on the command line (<c>ipp</c>, <c>wire</c> ...).</summary>
    public required string Name { get; init; }

    /// <summary>The product code it covers, for the report.</summary>
    public required string Covers { get; init; }

    /// <summary>Real inputs (captured, or made by the product's own encoder or fwtool's code), in the target's input form.</summary>
    public required Func<IReadOnlyList<byte[]>> Seeds { get; init; }

    /// <summary>Feeds one input to the parser and says what it did; throws whatever the parser threw.</summary>
    public required Func<byte[], ParseOutcome> Parse { get; init; }

    /// <summary>Tokens of the format (keywords, headings) AFL splices into inputs; empty for binary formats.</summary>
    public IReadOnlyList<string> Dictionary { get; init; } = [];

    /// <summary>Exception types the parser documents for bad input (and subtypes); any other one breaks the contract.</summary>
    public IReadOnlyList<Type> DocumentedExceptions { get; init; } = [];

    /// <summary>Bytes a parse may allocate whatever the input: the result's skeleton, buffers of a fixed size.</summary>
    public long FixedAllocationBytes { get; init; } = 1 << 20;

    /// <summary>Bytes a parse may allocate per input byte: decoded values cost a few objects per few bytes.</summary>
    public long AllocationBytesPerInputByte { get; init; } = 256;

    public long AllocationBudget(int inputLength) => FixedAllocationBytes + (AllocationBytesPerInputByte * inputLength);

    /// <summary>
    /// Runs one input under the contract: returns what the parser did, throws <see cref="ContractViolationException"/>
    /// when it allocated past its budget, and lets any undocumented exception through (that is the crash).
    /// </summary>
    public ParseOutcome Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        ParseOutcome outcome;
        try
        {
            outcome = Parse(input);
        }
        catch (Exception exception) when (IsDocumented(exception))
        {
            outcome = ParseOutcome.DocumentedException;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var budget = AllocationBudget(input.Length);
        if (allocated > budget)
            throw new ContractViolationException($"{Name}: an input of {input.Length} bytes made the parser allocate {allocated:N0} bytes; its budget is {budget:N0}");
        return outcome;
    }

    /// <summary>
    /// The first byte as a mode, the rest as the parser's input. An empty input is mode 0 with nothing to parse, which
    /// still reaches the parser: SharpFuzz may run a worker's first execution on an empty input, and AFL reads an
    /// execution that touches no instrumented code as a worker without instrumentation.
    /// </summary>
    public static (int Mode, byte[] Input) ModeAndRest(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Length == 0 ? (0, []) : (input[0], input[1..]);
    }

    private bool IsDocumented(Exception exception) => DocumentedExceptions.Any(type => type.IsInstanceOfType(exception));

    public override string ToString() => Name;
}

/// <summary>A parser broke its contract in a way that is not an exception of its own (allocation past its budget, a wrong answer).</summary>
public sealed class ContractViolationException : Exception
{
    public ContractViolationException() { }

    public ContractViolationException(string message) : base(message) { }

    public ContractViolationException(string message, Exception inner) : base(message, inner) { }
}
