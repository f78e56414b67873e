using System.Text.RegularExpressions;

namespace AkkaBroker.Hocon;

/// <summary>Recursive-descent HOCON parser over the token list. Produces an unresolved tree.</summary>
internal sealed partial class HoconParser
{
    /// <summary>Deepest nesting of objects and arrays in one document.</summary>
    public const int MaxNesting = 200;

    private readonly List<Token> _tokens;
    private readonly HoconLoader _loader;
    private readonly IncludeContext _context;
    private int _pos;
    private int _nesting;
    private int _arrayDepth;

    private HoconParser(List<Token> tokens, HoconLoader loader, IncludeContext context)
    {
        _tokens = tokens;
        _loader = loader;
        _context = context;
    }

    /// <summary>Parses a document; the root may be an object (braced or not) or an array.</summary>
    public static HoconValue ParseDocument(string text, string source, HoconLoader loader, IncludeContext context)
    {
        var parser = new HoconParser(HoconTokenizer.Tokenize(text, source), loader, context);
        return parser.Document();
    }

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    /// <summary>Types an unquoted word: number, boolean, null or string.</summary>
    public static HoconScalar Classify(string text, ConfigOrigin origin)
    {
        if (text is "true" or "false") return new HoconScalar(HoconValueType.Boolean, text, origin);
        if (text == "null") return new HoconScalar(HoconValueType.Null, text, origin);
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-') && NumberPattern().IsMatch(text))
        {
            return new HoconScalar(HoconValueType.Number, text, origin);
        }
        return HoconScalar.String(text, origin);
    }

    private Token Peek => _tokens[_pos];

    private Token Next() => _tokens[_pos++];

    private static ConfigParseException Error(Token at, string message) => new(at.Origin, message);

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.Eof => "end of input",
        TokenKind.Newline => "newline",
        _ => $"'{t.Text}'",
    };

    private void SkipWhitespace()
    {
        while (Peek.Kind == TokenKind.Whitespace) _pos++;
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Peek.Kind is TokenKind.Whitespace or TokenKind.Newline) _pos++;
    }

    private HoconValue Document()
    {
        SkipWhitespaceAndNewlines();
        HoconValue root;
        if (Peek.Kind == TokenKind.LBracket)
        {
            root = Array(_context.Prefix);
        }
        else if (Peek.Kind == TokenKind.LBrace && IsBracedRoot())
        {
            root = Object(_context.Prefix, braced: true);
        }
        else
        {
            root = ObjectBody(_context.Prefix, braced: false, Peek.Origin);
        }
        SkipWhitespaceAndNewlines();
        if (Peek.Kind != TokenKind.Eof)
        {
            throw Error(Peek, $"unexpected {Describe(Peek)} after the root value");
        }
        return root;
    }

    /// <summary>True when the '{' at the current position is closed by a '}' followed only by whitespace to the end.</summary>
    private bool IsBracedRoot()
    {
        int depth = 0;
        for (int i = _pos; i < _tokens.Count; i++)
        {
            var k = _tokens[i].Kind;
            if (k is TokenKind.LBrace) depth++;
            else if (k is TokenKind.RBrace && --depth == 0)
            {
                for (int j = i + 1; j < _tokens.Count; j++)
                {
                    if (_tokens[j].Kind is not (TokenKind.Whitespace or TokenKind.Newline or TokenKind.Eof)) return false;
                }
                return true;
            }
        }
        return true; // unclosed: let the braced parse report it
    }

    private void Enter(Token at)
    {
        if (++_nesting > MaxNesting)
        {
            throw Error(at, $"objects and arrays nested deeper than {MaxNesting} levels");
        }
    }

    private HoconObject Object(string[] basePath, bool braced)
    {
        var open = Next(); // '{'
        Enter(open);
        var obj = ObjectBody(basePath, braced, open.Origin);
        _nesting--;
        return obj;
    }

    private HoconObject ObjectBody(string[] basePath, bool braced, ConfigOrigin origin)
    {
        var obj = new HoconObject(origin);
        while (true)
        {
            while (Peek.Kind is TokenKind.Whitespace or TokenKind.Newline or TokenKind.Comma) _pos++;
            var t = Peek;
            if (t.Kind == TokenKind.RBrace)
            {
                if (!braced) throw Error(t, "unexpected '}' (no object is open)");
                _pos++;
                return obj;
            }
            if (t.Kind == TokenKind.Eof)
            {
                if (braced) throw Error(t, "end of input inside an object: expected '}'");
                return obj;
            }
            if (t.Kind == TokenKind.Unquoted && t.Text == "include" && IsIncludeStatement())
            {
                Include(obj, basePath);
            }
            else
            {
                Field(obj, basePath);
            }
            SkipWhitespace();
            var end = Peek;
            if (end.Kind is TokenKind.Comma or TokenKind.Newline)
            {
                _pos++;
            }
            else if (end.Kind is not (TokenKind.RBrace or TokenKind.Eof))
            {
                throw Error(end, $"expected ',' or a newline after a field, found {Describe(end)}");
            }
        }
    }

    private bool IsIncludeStatement()
    {
        int i = _pos + 1;
        if (_tokens[i].Kind is not (TokenKind.Whitespace or TokenKind.Newline)) return false;
        while (_tokens[i].Kind is TokenKind.Whitespace or TokenKind.Newline) i++;
        return _tokens[i].Kind is not (TokenKind.Colon or TokenKind.Equals or TokenKind.PlusEquals or TokenKind.LBrace);
    }

    private void Include(HoconObject obj, string[] basePath)
    {
        var keyword = Next();
        SkipWhitespaceAndNewlines();
        string prefixText = "";
        var first = Peek;
        while (Peek.Kind == TokenKind.Unquoted)
        {
            prefixText += Next().Text;
            SkipWhitespace();
        }
        if (Peek.Kind != TokenKind.Quoted)
        {
            throw Error(first, "include needs a quoted file name, or file(\"...\"), url(\"...\"), classpath(\"...\") or required(\"...\")");
        }
        string name = Next().Text;
        SkipWhitespace();
        string suffix = "";
        while (Peek.Kind == TokenKind.Unquoted)
        {
            suffix += Next().Text;
            SkipWhitespace();
        }
        string[] wrappers = prefixText.Length == 0 ? [] : prefixText.Split('(');
        if (wrappers.Length > 0 && wrappers[^1].Length != 0 || suffix != new string(')', Math.Max(0, wrappers.Length - 1)))
        {
            throw Error(first, $"malformed include '{prefixText}\"{name}\"{suffix}'");
        }
        var spec = new IncludeSpec(name, keyword.Origin);
        foreach (string w in wrappers.SkipLast(1))
        {
            switch (w)
            {
                case "required" when !spec.Required && spec.Kind == IncludeKind.Heuristic: spec = spec with { Required = true }; break;
                case "file" when spec.Kind == IncludeKind.Heuristic: spec = spec with { Kind = IncludeKind.File }; break;
                case "classpath" when spec.Kind == IncludeKind.Heuristic: spec = spec with { Kind = IncludeKind.Classpath }; break;
                case "url" when spec.Kind == IncludeKind.Heuristic: spec = spec with { Kind = IncludeKind.Url }; break;
                default: throw Error(first, $"malformed include: unexpected '{w}(' (use file(), url(), classpath(), optionally inside required())");
            }
        }
        var included = _loader.Include(spec, _context, basePath);
        if (_arrayDepth > 0 && HoconLoader.ContainsSubstitutions(included))
        {
            throw Error(keyword, "include inside an array element is not supported when the included file has substitutions");
        }
        foreach (var (key, value) in included.Fields)
        {
            obj.Set(key, obj.TryGetValue(key, out var existing) ? HoconMerge.Merge(value, existing) : value);
        }
    }

    private void Field(HoconObject obj, string[] basePath)
    {
        var keyStart = Peek;
        var builder = new PathBuilder();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Unquoted) builder.AddUnquoted(t.Text);
            else if (t.Kind == TokenKind.Quoted) builder.AddQuoted(t.Text);
            else if (t.Kind == TokenKind.Whitespace) builder.AddWhitespace(t.Text);
            else if (t.Kind == TokenKind.Substitution) throw Error(t, "substitutions are not allowed in keys");
            else break;
            _pos++;
        }
        if (builder.IsEmpty)
        {
            throw Error(keyStart, $"expected a key, found {Describe(keyStart)}");
        }
        string[] key = builder.Build() ?? throw Error(keyStart, "key has an empty path segment (leading, trailing or doubled '.')");
        SkipWhitespaceAndNewlines();
        var sep = Peek;
        string[] fullPath = [.. basePath, .. key];
        HoconValue value;
        if (sep.Kind == TokenKind.LBrace)
        {
            value = Value(fullPath);
        }
        else if (sep.Kind is TokenKind.Colon or TokenKind.Equals or TokenKind.PlusEquals)
        {
            _pos++;
            SkipWhitespaceAndNewlines();
            value = Value(fullPath);
            if (sep.Kind == TokenKind.PlusEquals)
            {
                var self = new HoconSubstitution(fullPath, optional: true, prefix: [], sep.Origin);
                value = new HoconConcatenation([self, new HoconArray([value], value.Origin)], sep.Origin);
            }
        }
        else
        {
            throw Error(sep, $"expected ':', '=', '+=' or '{{' after key '{HoconPath.Render(key)}', found {Describe(sep)}");
        }
        for (int i = key.Length - 1; i >= 1; i--)
        {
            var wrapper = new HoconObject(keyStart.Origin);
            wrapper.Set(key[i], value);
            value = wrapper;
        }
        obj.Set(key[0], obj.TryGetValue(key[0], out var existing) ? HoconMerge.Merge(value, existing) : value);
    }

    private HoconArray Array(string[] basePath)
    {
        var open = Next(); // '['
        Enter(open);
        _arrayDepth++;
        var items = new List<HoconValue>();
        while (true)
        {
            SkipWhitespaceAndNewlines();
            if (Peek.Kind == TokenKind.RBracket)
            {
                _pos++;
                break;
            }
            if (Peek.Kind == TokenKind.Eof) throw Error(Peek, "end of input inside an array: expected ']'");
            items.Add(Value(basePath));
            SkipWhitespace();
            var t = Peek;
            if (t.Kind is TokenKind.Comma or TokenKind.Newline) { _pos++; continue; }
            if (t.Kind == TokenKind.RBracket) { _pos++; break; }
            throw Error(t, $"expected ',' or ']' in an array, found {Describe(t)}");
        }
        _arrayDepth--;
        _nesting--;
        return new HoconArray(items, open.Origin);
    }

    /// <summary>A value: one or more pieces written next to each other (a concatenation when more than one).</summary>
    private HoconValue Value(string[] path)
    {
        var pieces = new List<HoconValue>();
        var start = Peek;
        while (true)
        {
            var t = Peek;
            HoconValue piece;
            switch (t.Kind)
            {
                case TokenKind.Whitespace:
                    _pos++;
                    if (pieces.Count > 0) pieces.Add(new HoconScalar(HoconValueType.String, t.Text, t.Origin) { IsWhitespace = true });
                    continue;
                case TokenKind.Unquoted: _pos++; piece = Classify(t.Text, t.Origin); break;
                case TokenKind.Quoted: _pos++; piece = HoconScalar.String(t.Text, t.Origin); break;
                case TokenKind.Substitution:
                    _pos++;
                    piece = new HoconSubstitution(t.Path!, t.Optional, _context.Prefix, t.Origin);
                    break;
                case TokenKind.LBrace: piece = Object(path, braced: true); break;
                case TokenKind.LBracket: piece = Array(path); break;
                default:
                    goto done;
            }
            pieces.Add(piece);
        }
    done:
        while (pieces.Count > 0 && pieces[^1] is HoconScalar { IsWhitespace: true }) pieces.RemoveAt(pieces.Count - 1);
        if (pieces.Count == 0) throw Error(start, $"expected a value, found {Describe(start)}");
        if (pieces.Count == 1) return pieces[0];
        if (!pieces.Exists(p => p is HoconSubstitution))
        {
            return HoconMerge.Concatenate(pieces, start.Origin, HoconPath.Render(path))!;
        }
        CheckMixedKinds(pieces, path);
        return new HoconConcatenation(pieces, start.Origin);
    }

    /// <summary>Objects and arrays cannot be concatenated with each other or with text, even before resolution.</summary>
    private static void CheckMixedKinds(List<HoconValue> pieces, string[] path)
    {
        bool obj = pieces.Exists(p => p is HoconObject), arr = pieces.Exists(p => p is HoconArray);
        bool text = pieces.Exists(p => p is HoconScalar { IsWhitespace: false });
        if ((obj ? 1 : 0) + (arr ? 1 : 0) + (text ? 1 : 0) > 1)
        {
            HoconMerge.Concatenate(pieces.Where(p => p is not HoconSubstitution).ToList(), pieces[0].Origin, HoconPath.Render(path));
        }
    }
}
