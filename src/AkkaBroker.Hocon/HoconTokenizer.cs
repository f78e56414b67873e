using System.Text;

namespace AkkaBroker.Hocon;

internal enum TokenKind
{
    LBrace, RBrace, LBracket, RBracket, Comma, Colon, Equals, PlusEquals, Newline, Whitespace,
    Unquoted, Quoted, Substitution, Eof,
}

/// <summary>One token. For <see cref="TokenKind.Substitution"/>, <see cref="Path"/> and <see cref="Optional"/> are set.</summary>
internal sealed record Token(TokenKind Kind, string Text, ConfigOrigin Origin)
{
    public string[]? Path { get; init; }

    public bool Optional { get; init; }
}

/// <summary>Splits HOCON text into tokens. Comments are dropped (the newline that ends them is kept).</summary>
internal sealed class HoconTokenizer
{
    private const string NotInUnquoted = "$\"{}[]:=,+#`^?!@*&\\";
    private readonly string _text;
    private readonly string _source;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private HoconTokenizer(string text, string source)
    {
        _text = text;
        _source = source;
        if (_text.Length > 0 && _text[0] == '\uFEFF')
        {
            _pos = 1;
            _lineStart = 1;
        }
    }

    public static List<Token> Tokenize(string text, string source) => new HoconTokenizer(text, source).Run();

    internal static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private ConfigOrigin Here() => new(_source, _line, _pos - _lineStart + 1);

    private ConfigParseException Error(string message) => new(Here(), message);

    private List<Token> Run()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var origin = Here();
            if (_pos >= _text.Length)
            {
                tokens.Add(new Token(TokenKind.Eof, "", origin));
                return tokens;
            }
            char c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
                tokens.Add(new Token(TokenKind.Newline, "\n", origin));
                continue;
            }
            if (IsWhitespace(c))
            {
                int start = _pos;
                while (_pos < _text.Length && IsWhitespace(_text[_pos])) _pos++;
                tokens.Add(new Token(TokenKind.Whitespace, _text[start.._pos], origin));
                continue;
            }
            if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
                continue;
            }
            switch (c)
            {
                case '{': _pos++; tokens.Add(new Token(TokenKind.LBrace, "{", origin)); continue;
                case '}': _pos++; tokens.Add(new Token(TokenKind.RBrace, "}", origin)); continue;
                case '[': _pos++; tokens.Add(new Token(TokenKind.LBracket, "[", origin)); continue;
                case ']': _pos++; tokens.Add(new Token(TokenKind.RBracket, "]", origin)); continue;
                case ',': _pos++; tokens.Add(new Token(TokenKind.Comma, ",", origin)); continue;
                case ':': _pos++; tokens.Add(new Token(TokenKind.Colon, ":", origin)); continue;
                case '=': _pos++; tokens.Add(new Token(TokenKind.Equals, "=", origin)); continue;
                case '+':
                    if (Peek(1) != '=') throw Error("'+' must be followed by '=' (the += operator)");
                    _pos += 2;
                    tokens.Add(new Token(TokenKind.PlusEquals, "+=", origin));
                    continue;
                case '"':
                    tokens.Add(Peek(1) == '"' && Peek(2) == '"' ? TripleQuoted(origin) : new Token(TokenKind.Quoted, QuotedString(), origin));
                    continue;
                case '$':
                    if (Peek(1) != '{') throw Error("'$' must start a substitution '${...}'");
                    tokens.Add(Substitution(origin));
                    continue;
            }
            if (NotInUnquoted.Contains(c))
            {
                throw Error($"reserved character '{c}' is not allowed outside quotes");
            }
            tokens.Add(new Token(TokenKind.Unquoted, Unquoted(), origin));
        }
    }

    private char Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private string Unquoted()
    {
        int start = _pos;
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n' || IsWhitespace(c) || NotInUnquoted.Contains(c) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }
            _pos++;
        }
        return _text[start.._pos];
    }

    private string QuotedString()
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unterminated quoted string at end of input");
            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return sb.ToString();
            }
            if (c == '\n') throw Error("newline inside a quoted string (use \\n or a \"\"\" string)");
            if (c == '\\')
            {
                char e = Peek(1);
                _pos += 2;
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length || !int.TryParse(_text.AsSpan(_pos, 4), System.Globalization.NumberStyles.HexNumber, null, out int code))
                        {
                            throw Error("bad \\u escape in quoted string");
                        }
                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        _pos -= 2;
                        throw Error($"bad escape '\\{e}' in quoted string");
                }
                continue;
            }
            if (char.IsControl(c) && c != '\t' && c != '\r') throw Error("control character inside a quoted string");
            sb.Append(c);
            _pos++;
        }
    }

    private Token TripleQuoted(ConfigOrigin origin)
    {
        _pos += 3;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unterminated \"\"\" string at end of input");
            char c = _text[_pos];
            if (c == '"')
            {
                int run = 0;
                while (_pos < _text.Length && _text[_pos] == '"') { run++; _pos++; }
                if (run >= 3)
                {
                    sb.Append('"', run - 3);
                    return new Token(TokenKind.Quoted, sb.ToString(), origin);
                }
                sb.Append('"', run);
                continue;
            }
            if (c == '\n')
            {
                _line++;
                _lineStart = _pos + 1;
            }
            sb.Append(c);
            _pos++;
        }
    }

    private Token Substitution(ConfigOrigin origin)
    {
        _pos += 2;
        bool optional = false;
        if (Peek(0) == '?')
        {
            optional = true;
            _pos++;
        }
        var builder = new PathBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unterminated substitution '${' at end of input");
            char c = _text[_pos];
            if (c == '}')
            {
                _pos++;
                break;
            }
            if (c == '\n') throw Error("newline inside a substitution");
            if (IsWhitespace(c))
            {
                int start = _pos;
                while (_pos < _text.Length && IsWhitespace(_text[_pos])) _pos++;
                builder.AddWhitespace(_text[start.._pos]);
            }
            else if (c == '"')
            {
                builder.AddQuoted(Peek(1) == '"' && Peek(2) == '"' ? TripleQuoted(Here()).Text : QuotedString());
            }
            else if (NotInUnquoted.Contains(c) || (c == '/' && Peek(1) == '/'))
            {
                throw Error($"character '{c}' is not allowed in a substitution path");
            }
            else
            {
                builder.AddUnquoted(Unquoted());
            }
        }
        string[] path = builder.Build() ?? throw new ConfigParseException(origin, "substitution has an empty or malformed path");
        return new Token(TokenKind.Substitution, "${" + (optional ? "?" : "") + HoconPath.Render(path) + "}", origin)
        {
            Path = path,
            Optional = optional,
        };
    }
}

/// <summary>Builds a path from key tokens: unquoted text splits at '.', quoted text never does, inner whitespace is kept.</summary>
internal sealed class PathBuilder
{
    private readonly List<string> _segments = [];
    private readonly StringBuilder _current = new();
    private bool _hasContent;
    private bool _bad;
    private string? _pendingWhitespace;

    public bool IsEmpty => _segments.Count == 0 && !_hasContent;

    public void AddWhitespace(string ws)
    {
        if (!IsEmpty) _pendingWhitespace = (_pendingWhitespace ?? "") + ws;
    }

    private void FlushWhitespace()
    {
        if (_pendingWhitespace is not null)
        {
            _current.Append(_pendingWhitespace);
            _pendingWhitespace = null;
        }
    }

    public void AddQuoted(string text)
    {
        FlushWhitespace();
        _current.Append(text);
        _hasContent = true;
    }

    public void AddUnquoted(string text)
    {
        FlushWhitespace();
        string[] parts = text.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                if (!_hasContent) _bad = true;
                _segments.Add(_current.ToString());
                _current.Clear();
                _hasContent = false;
            }
            if (parts[i].Length > 0)
            {
                _current.Append(parts[i]);
                _hasContent = true;
            }
        }
    }

    /// <summary>The path, or null when it is empty or has an empty unquoted segment.</summary>
    public string[]? Build()
    {
        if (_bad || !_hasContent) return null;
        return [.. _segments, _current.ToString()];
    }
}
