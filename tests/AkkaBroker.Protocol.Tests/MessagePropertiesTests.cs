using System.Text;

namespace AkkaBroker.Protocol.Tests;

public class MessagePropertiesTests
{
    [Theory]
    [InlineData("TAGS\u0001TagA\u0002KEYS\u0001k1 k2")]          // 4.9.3+: no trailing separator
    [InlineData("TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002")]    // older clients, ali-ons
    [InlineData("x\u0002TAGS\u0001TagA\u0002\u0002KEYS\u0001k1 k2")] // junk segments are skipped
    public void Both_separator_styles_parse(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        var parsed = MessageProperties.Parse(bytes);
        Assert.Equal("TagA", parsed[MessageProperties.Tags]);
        Assert.Equal("k1 k2", parsed[MessageProperties.Keys]);
        Assert.True(MessageProperties.TryGetValue(bytes, "KEYS"u8, out var keys));
        Assert.Equal("k1 k2", Encoding.UTF8.GetString(keys));
        Assert.False(MessageProperties.TryGetValue(bytes, "KEY"u8, out _));
    }

    [Fact]
    public void Format_round_trips_utf8_values()
    {
        var bytes = MessageProperties.Format([new("TAGS", "标签"), new("UNIQ_KEY", "ABC")]);

        Assert.Equal("TAGS\u0001标签\u0002UNIQ_KEY\u0001ABC", Encoding.UTF8.GetString(bytes));
        Assert.Equal("标签", MessageProperties.Parse(bytes)["TAGS"]);
    }

    [Fact]
    public void Format_refuses_separators_inside_names_or_values() =>
        Assert.Throws<ArgumentException>(() => MessageProperties.Format([new("A", "x\u0002y")]));

    [Fact]
    public void Formatting_on_one_thread_carries_nothing_over_from_the_last_call()
    {
        // The builder is kept per thread: neither a refused set, a large one nor an earlier one may leak into the next.
        Assert.Equal("A\u00011\u0002B\u00012", MessageProperties.FormatText([new("A", "1"), new("B", "2")]));
        Assert.Throws<ArgumentException>(() => MessageProperties.FormatText([new("C", "3"), new("D", "x\u0001y")]));
        var large = new string('v', 10_000);
        Assert.Equal("L\u0001" + large, MessageProperties.FormatText([new("L", large)]));
        Assert.Equal("E\u00015", MessageProperties.FormatText([new("E", "5")]));
        Assert.Equal("", MessageProperties.FormatText([]));
    }

    [Theory]
    [InlineData("TagA", 2598919)]
    [InlineData("中文", 646394)]
    [InlineData("😀x", 54959989)]
    [InlineData("", 0)]
    public void Java_string_hash_matches_java_for_strings_and_their_utf8(string text, int javaHash)
    {
        Assert.Equal(javaHash, JavaHash.StringHashCode(text));
        Assert.Equal(javaHash, JavaHash.StringHashCode(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Offset_message_id_matches_the_reference_example()
    {
        // reference §4.5: 10.218.145.166:10700, offset 0x6500E59F3E
        const string id = "0ADA91A6000029CC0000006500E59F3E";
        Assert.True(MessageId.TryDecodeOffsetId(id, out var host, out var offset));
        Assert.Equal("10.218.145.166:10700", host.ToString());
        Assert.Equal(0x6500E59F3E, offset);
        Assert.Equal(id, MessageId.CreateOffsetId(host, offset));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0ADA91A6000029CC0000006500E59F3")]
    [InlineData("ZZDA91A6000029CC0000006500E59F3E")]
    public void Malformed_offset_ids_are_rejected(string id) => Assert.False(MessageId.TryDecodeOffsetId(id, out _, out _));
}

public class TagFilterTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" * ")]
    public void Star_and_empty_match_everything(string? expression)
    {
        var filter = TagFilter.Parse(expression);
        Assert.True(filter.MatchesAll);
        Assert.True(filter.MatchesCode(12345));
        Assert.True(filter.MatchesTag(default));
    }

    [Fact]
    public void Alternatives_match_by_java_hash_then_exactly()
    {
        var filter = TagFilter.Parse("TagA || TagB||TagA");

        Assert.Equal(["TagA", "TagB"], filter.Tags);
        Assert.True(filter.MatchesCode(JavaHash.StringHashCode("TagB")));
        Assert.False(filter.MatchesCode(JavaHash.StringHashCode("TagC")));
        Assert.True(filter.MatchesTag("TagA"u8));
        Assert.False(filter.MatchesTag("TagAB"u8));
        Assert.False(filter.MatchesTag(default));
    }

    [Fact]
    public void A_hash_collision_passes_the_code_check_but_not_the_exact_one()
    {
        // "Aa" and "BB" have the same Java hash code (2112).
        var filter = TagFilter.Parse("Aa");
        Assert.True(filter.MatchesCode(JavaHash.StringHashCode("BB")));
        Assert.False(filter.MatchesTag("BB"u8));
    }
}
