namespace Diagnostics.FirmwareTools.CommandLine;

/// <summary>
/// The progress of one long step on standard error. On a terminal a bar redraws in place whenever the percentage
/// changes; when standard error is a file or a pipe (CI logs) it prints one line at each quarter instead, so logs stay short.
/// </summary>
public sealed class ProgressBar : IProgress<long>, IDisposable
{
    private const int Width = 30;
    private readonly FwtoolConsole _console;
    private readonly string _label;
    private readonly long _total;
    private readonly Lock _lock = new();
    private int _shownPercent = -1;
    private long _done;
    private bool _finished;

    /// <param name="total">Bytes (or other units) when done; 0 when unknown.</param>
    public ProgressBar(FwtoolConsole console, string label, long total)
    {
        ArgumentNullException.ThrowIfNull(console);
        _console = console;
        _label = label;
        _total = Math.Max(total, 0);
        if (console.ErrorIsTerminal)
            Draw(0);
    }

    /// <summary>The same bar fed with the share done (0 to 1), for work that counts in fractions (delta computation).</summary>
    public IProgress<double> AsFraction() => new FractionProgress(this);

    /// <summary>Units done so far.</summary>
    public void Report(long value)
    {
        lock (_lock)
        {
            if (_finished)
                return;
            _done = value;
            var percent = _total == 0 ? 0 : (int)Math.Clamp(value * 100 / _total, 0, 100);
            if (_console.ErrorIsTerminal)
            {
                if (percent != _shownPercent)
                    Draw(percent);
            }
            else if (percent / 25 > _shownPercent / 25 && percent is > 0 and < 100)
            {
                _shownPercent = percent / 25 * 25;
                _console.Error.WriteLine($"{_label}: {_shownPercent}%{Amount(value)}");
            }
        }
    }

    /// <summary>Shows the step as finished (and ends the bar's line on a terminal).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_finished)
                return;
            _finished = true;
            if (_console.ErrorIsTerminal)
            {
                Draw(100, Math.Max(_done, _total));
                _console.Error.WriteLine();
            }
            else
            {
                _console.Error.WriteLine($"{_label}: done{Amount(Math.Max(_done, _total))}");
            }
        }
    }

    private void Draw(int percent, long? done = null)
    {
        _shownPercent = percent;
        var filled = percent * Width / 100;
        _console.Error.Write($"\r{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {percent,3}%{Amount(done ?? _done)}");
    }

    private string Amount(long done) => _total <= 1024 ? "" : $" ({Sizes.Describe(done)} of {Sizes.Describe(_total)})";

    private sealed class FractionProgress(ProgressBar bar) : IProgress<double>
    {
        public void Report(double value) => bar.Report((long)(Math.Clamp(value, 0, 1) * bar._total));
    }
}
