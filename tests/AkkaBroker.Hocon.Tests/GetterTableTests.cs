using System.Numerics;
using AkkaBroker.Hocon;
using Xunit;

namespace AkkaBroker.Hocon.Tests;

/// <summary>The typed-getter tables of the conformance README (test01.conf, beanconfig01.conf).</summary>
public sealed class GetterTableTests
{
    private static readonly Lazy<Config> Test01 = new(() => ConformanceData.LoadResolved("test01.conf"));
    private static readonly Lazy<Config> Bean = new(() => ConformanceData.LoadResolved("beanconfig/beanconfig01.conf"));

    private static Config C => Test01.Value;

    [Fact]
    public void PointThirtyThreeIsAStringReadableAsDouble()
    {
        Assert.Equal(HoconValueType.String, C.GetValue("floats.pointThirtyThree").Type);
        Assert.Equal(0.33, C.GetDouble("floats.pointThirtyThree"), 10);
    }

    [Fact]
    public void NumericStrings()
    {
        Assert.Equal(57, C.GetInt("strings.number"));
        Assert.Equal(3.14, C.GetDouble("strings.double"), 10);
    }

    [Theory]
    [InlineData("strings.true", true)]
    [InlineData("strings.yes", true)]
    [InlineData("strings.false", false)]
    [InlineData("strings.no", false)]
    public void BooleanStrings(string path, bool expected) => Assert.Equal(expected, C.GetBoolean(path));

    [Fact]
    public void BooleanOfAbcdIsWrongType() => Assert.Throws<ConfigWrongTypeException>(() => C.GetBoolean("strings.abcd"));

    [Fact]
    public void NumbersAsStrings()
    {
        Assert.Equal("42", C.GetString("ints.fortyTwo"));
        Assert.Equal("42.1", C.GetString("floats.fortyTwoPointOne"));
        Assert.Throws<ConfigWrongTypeException>(() => C.GetString("ints"));
        Assert.Throws<ConfigWrongTypeException>(() => C.GetString("arrays.ofInt"));
    }

    [Fact]
    public void Durations()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), C.GetTimeSpan("durations.second"));
        Assert.Equal(TimeSpan.FromSeconds(1), C.GetTimeSpan("durations.secondAsNumber"));
        Assert.Equal([1000d, 2000d, 3000d, 4000d], C.GetTimeSpanList("durations.secondsList").Select(t => t.TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMilliseconds(500), C.GetTimeSpan("durations.halfSecond"));
        Assert.Equal(TimeSpan.FromMilliseconds(1), C.GetTimeSpan("durations.millis"));
        Assert.Equal(TimeSpan.FromMilliseconds(2), C.GetTimeSpan("durations.micros"));
    }

    [Fact]
    public void LargeNanosAreExact()
    {
        Assert.Equal(4878955355435272204L, C.GetDurationNanos("durations.largeNanos"));
        Assert.Equal(4878955355435272204L, C.GetDurationNanos("durations.plusLargeNanos"));
        Assert.Equal(-4878955355435272204L, C.GetDurationNanos("durations.minusLargeNanos"));
    }

    [Fact]
    public void MemorySizes()
    {
        Assert.Equal(1048576, C.GetByteSize("memsizes.meg"));
        Assert.Equal(1048576, C.GetByteSize("memsizes.megAsNumber"));
        Assert.Equal([1048576L, 1048576L, 1048576L], C.GetByteSizeList("memsizes.megsList"));
        Assert.Equal(524288, C.GetByteSize("memsizes.halfMeg"));
    }

    /// <summary>Yottabytes do not fit in a long: GetByteSize throws ConfigBadValueException, GetByteSizeBig returns them.</summary>
    [Fact]
    public void YottabytesNeedBigIntegers()
    {
        Assert.Throws<ConfigBadValueException>(() => C.GetByteSize("memsizes.yottabyte"));
        Assert.Equal(BigInteger.Pow(10, 24), C.GetByteSizeBig("memsizes.yottabyte"));
        Assert.Equal([BigInteger.Pow(10, 24), 5 * BigInteger.Pow(10, 23)], C.GetByteSizeBigList("memsizes.yottabyteList"));
    }

    [Fact]
    public void MissingNullAndWrongType()
    {
        var missing = Assert.Throws<ConfigMissingException>(() => C.GetInt("nothere.at.all"));
        Assert.Contains("nothere.at.all", missing.Message);
        Assert.Throws<ConfigMissingException>(() => C.GetInt("nulls.null"));
        Assert.Throws<ConfigWrongTypeException>(() => C.GetInt("booleans.trueAgain"));
    }

    [Theory]
    [InlineData(".bad")]
    [InlineData("bad.")]
    [InlineData("bad..bad")]
    public void BadPaths(string path)
    {
        Assert.Throws<ConfigBadPathException>(() => C.GetInt(path));
        Assert.Throws<ConfigBadPathException>(() => C.HasPath(path));
    }

    [Fact]
    public void StringAsDurationOrSizeIsBadValue()
    {
        Assert.Throws<ConfigBadValueException>(() => C.GetTimeSpan("strings.a"));
        Assert.Throws<ConfigBadValueException>(() => C.GetByteSize("strings.a"));
    }

    [Fact]
    public void BeanconfigSizesAndDurations()
    {
        var b = Bean.Value;
        Assert.Equal(1000, b.GetByteSize("bytes.kilobyte"));
        Assert.Equal(1024, b.GetByteSize("bytes.kibibyte"));
        Assert.Equal(1000, b.GetByteSize("bytes.thousandBytes"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), b.GetTimeSpan("durations.halfSecond"));
        Assert.Equal(TimeSpan.FromSeconds(1), b.GetTimeSpan("durations.second"));
        Assert.Equal(TimeSpan.FromSeconds(1), b.GetTimeSpan("durations.secondAsNumber"));
        Assert.Equal([TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(2), TimeSpan.FromDays(3)], b.GetTimeSpanList("arrays.ofDuration"));
        Assert.Equal([1024L, 1048576L, 1073741824L], b.GetByteSizeList("arrays.ofMemorySize"));
    }

    [Fact]
    public void NumericKeyedObjectReadsAsList()
    {
        var b = Bean.Value;
        Assert.Equal(HoconValueType.Object, b.GetValue("arrays.of-long").Type);
        Assert.Equal([32L, 42L, 52L], b.GetLongList("arrays.of-long"));
        Assert.Equal([32, 42, 52], b.GetIntList("arrays.of-long"));
    }
}
