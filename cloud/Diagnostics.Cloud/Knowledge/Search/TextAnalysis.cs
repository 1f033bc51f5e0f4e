using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Icu.Segmentation;
using Lucene.Net.Analysis.Snowball;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>
/// How text in each language becomes search terms (Lucene.Net analyzers), chosen by the language's name so a new
/// language needs no code:
/// <list type="bullet">
/// <item>English: Unicode word breaks, possessives and stop words dropped, Porter stemming ("jammed", "jams",
/// "jamming" → "jam").</item>
/// <item>Chinese and Japanese: words from ICU's dictionary-based segmentation (<c>打印机</c>, <c>紙詰まり</c>), and,
/// as a second field, overlapping character pairs (CJK bigrams). Lucene.Net has no Japanese morphological analyser
/// here (Kuromoji is not served), so the dictionary words miss inflections (<c>詰まった</c> is <c>詰 まっ た</c>);
/// the bigrams meet them (<c>詰ま</c> is in both), as they meet Chinese words ICU's dictionary does not know. ICU
/// rather than SmartCn for Chinese: on the tuning phrasings they find the same (top-1 72.7 % with ICU, 71.6 % with
/// SmartCn's HMM segmenter), and one segmenter for Chinese and Japanese is one package less.</item>
/// <item>Any other language: ICU word breaks, lowercase, the Snowball stemmer of that language when there is one
/// (French, German, Spanish …), and bigrams for Korean.</item>
/// </list>
/// Every text is NFKC-normalized first: full-width digits and letters (<c>５０．１</c>) and half-width katakana read
/// as their usual forms. Error codes are taken out of any script by <see cref="Codes"/> into a field of their own.
/// </summary>
public static partial class TextAnalysis
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private static readonly ConcurrentDictionary<(string Language, bool Grams), Analyzer?> Analyzers = new();

    /// <summary>Words people write that say nothing about the problem (greetings, "please", "my").</summary>
    private static readonly CharArraySet EnglishStopWords = new(Version,
    [
        .. EnglishAnalyzer.DefaultStopSet.Cast<object>().Select(o => o is char[] chars ? new string(chars) : o.ToString()!),
        "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "their", "what", "which", "who", "am", "been",
        "do", "does", "did", "done", "have", "has", "had", "so", "just", "very", "can", "could", "would", "should", "its",
        "please", "pls", "help", "hi", "hello", "hey", "thank", "thanks", "get", "got", "still", "again", "now", "all", "any",
        "some", "when", "than", "also", "about", "how", "why", "im", "ive", "from", "since",
    ], ignoreCase: true);

    /// <summary>Chinese function words and chat words that carry no meaning for a search.</summary>
    private static readonly CharArraySet ChineseStopWords = new(Version,
    [
        "的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "嗯", "是", "我", "你", "您", "他", "她", "它", "我们", "你们", "这", "那", "这个", "那个",
        "就", "都", "也", "还", "在", "和", "与", "或", "请", "一下", "怎么", "怎么办", "什么", "为什么", "谢谢", "你好", "帮", "帮忙", "个", "着", "过",
    ], ignoreCase: false);

    /// <summary>Japanese particles, endings and chat words.</summary>
    private static readonly CharArraySet JapaneseStopWords = new(Version,
    [
        "は", "が", "を", "に", "の", "で", "と", "も", "へ", "や", "か", "ね", "よ", "な", "って", "だ", "です", "ます", "でした", "ました",
        "た", "て", "し", "する", "した", "します", "いる", "ある", "こと", "もの", "これ", "それ", "あれ", "どう", "ください", "お願い", "すみません",
    ], ignoreCase: false);

    /// <summary>The words analyzer of a language (every language has one).</summary>
    public static Analyzer Words(string language) => Analyzers.GetOrAdd((language, false), key => CreateWords(key.Language))!;

    /// <summary>The character-pair analyzer of a language written without spaces (Chinese, Japanese, Korean); null for others.</summary>
    public static Analyzer? Grams(string language) => Analyzers.GetOrAdd((language, true), key => UsesGrams(key.Language) ? CreateGrams() : null);

    /// <summary>Languages written without spaces between words, searched by character pairs too.</summary>
    public static bool UsesGrams(string language) => Family(language) is "zh" or "ja" or "ko";

    /// <summary>The terms <paramref name="analyzer"/> makes of <paramref name="text"/>, in order.</summary>
    public static IReadOnlyList<string> Terms(Analyzer analyzer, string text)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream("text", Normalize(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
            terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    /// <summary>NFKC: full-width forms and half-width katakana as their usual characters.
    /// Text with a lone surrogate (which NFKC refuses) has it replaced by U+FFFD first.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
            text = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)); // a lone surrogate becomes U+FFFD
        return text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
    }

    /// <summary>
    /// The vendor error codes in a text, wherever they stand (<c>错误代码50.1</c>, <c>エラー 13.20</c>, <c>err50.1</c>,
    /// <c>13.20.00</c>), each in the forms it is matched by: as written (lowercase), without dots (<c>49.4C.02</c> and
    /// <c>49.4C02</c> meet at <c>494c02</c>), and for a three-part code its first two parts (<c>13.20.00</c> → <c>13.20</c>).
    /// </summary>
    public static IReadOnlyList<string> Codes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var forms = new List<string>();
        foreach (Match match in CodePattern().Matches(Normalize(text)))
            forms.AddRange(FormsOf(match.Value));
        return [.. forms.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The forms of one code; empty when it does not look like a panel code (a number with a dotted part).</summary>
    public static IEnumerable<string> FormsOf(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var value = Normalize(code).Trim().ToLowerInvariant();
        if (!CodePattern().IsMatch(value))
            yield break;
        yield return value;
        yield return value.Replace(".", "", StringComparison.Ordinal);
        var parts = value.Split('.');
        if (parts.Length > 2)
            yield return $"{parts[0]}.{parts[1]}";
    }

    /// <summary>
    /// A panel code: one to three digits, then one or two dotted parts of digits and letters (50.1, 13.20.00, 49.4C02,
    /// 49.4C.02), not followed by another dotted part (an IPv4 address such as 192.168.1.10 is not a code).
    /// </summary>
    [GeneratedRegex(@"(?<![0-9.])[0-9]{1,3}(?:\.[0-9a-zA-Z]{1,4}){1,2}(?!\.?[0-9a-zA-Z])")]
    private static partial Regex CodePattern();

    /// <summary>The language part of a culture name: zh of zh-Hans, pt of pt-BR.</summary>
    private static string Family(string language) => language.Split('-')[0].ToLowerInvariant();

    private static Analyzer CreateWords(string language) => Family(language) switch
    {
        "en" => Analyzer.NewAnonymous((_, reader) =>
        {
            var tokenizer = new StandardTokenizer(Version, reader);
            TokenStream stream = new EnglishPossessiveFilter(Version, tokenizer);
            stream = new LowerCaseFilter(Version, stream);
            stream = new StopFilter(Version, stream, EnglishStopWords);
            stream = new PorterStemFilter(stream);
            return new TokenStreamComponents(tokenizer, stream);
        }),
        "zh" => Dictionary(ChineseStopWords, stemmer: null),
        "ja" => Dictionary(JapaneseStopWords, stemmer: null),
        var family => Dictionary(null, SnowballStemmerOf(family)),
    };

    /// <summary>ICU's word breaks (dictionary-based for Chinese, Japanese, Thai …), lowercase, stop words, an optional stemmer.</summary>
    private static Analyzer Dictionary(CharArraySet? stopWords, string? stemmer) => Analyzer.NewAnonymous((_, reader) =>
    {
        var tokenizer = new ICUTokenizer(reader, new DefaultICUTokenizerConfig(cjkAsWords: true, myanmarAsWords: true));
        TokenStream stream = new CJKWidthFilter(tokenizer);
        stream = new LowerCaseFilter(Version, stream);
        if (stopWords is not null)
            stream = new StopFilter(Version, stream, stopWords);
        if (stemmer is not null)
            stream = new SnowballFilter(stream, stemmer);
        return new TokenStreamComponents(tokenizer, stream);
    });

    /// <summary>Overlapping pairs of CJK characters; other words as they are.</summary>
    private static Analyzer CreateGrams() => Analyzer.NewAnonymous((_, reader) =>
    {
        var tokenizer = new StandardTokenizer(Version, reader);
        TokenStream stream = new CJKWidthFilter(tokenizer);
        stream = new LowerCaseFilter(Version, stream);
        stream = new CJKBigramFilter(stream);
        return new TokenStreamComponents(tokenizer, stream);
    });

    /// <summary>The Snowball stemmer named like the language in English (French, German …), when Lucene.Net has one.</summary>
    private static string? SnowballStemmerOf(string family)
    {
        try
        {
            var name = CultureInfo.GetCultureInfo(family).EnglishName.Split(' ')[0];
            return typeof(SnowballFilter).Assembly.GetType($"Lucene.Net.Tartarus.Snowball.Ext.{name}Stemmer") is not null ? name : null;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }
}
