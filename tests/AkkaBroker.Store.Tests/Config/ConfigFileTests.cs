using System.Text;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Store.Config;

namespace AkkaBroker.Store.Tests.Config;

public sealed class ConfigFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string PathOf(string name) => Path.Combine(_dir.Path, "config", name);

    private static TopicConfigTable Topics(params string[] names)
    {
        var table = new TopicConfigTable { DataVersion = new DataVersion { Counter = names.Length, Timestamp = 1_700_000_000_123 } };
        foreach (var name in names) table.Topics[name] = new TopicConfig { TopicName = name, ReadQueueNums = 8, WriteQueueNums = 8 };
        return table;
    }

    [Fact]
    public void Topics_json_has_RocketMQ_shape_and_key_order()
    {
        var json = Encoding.UTF8.GetString(ConfigJson.ToJson(Topics("T"), pretty: false));
        Assert.Equal(
            """{"dataVersion":{"counter":1,"timestamp":1700000000123},"topicConfigTable":{"T":{"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":8}}}""",
            json);
        var pretty = Encoding.UTF8.GetString(ConfigJson.ToJson(Topics("T"), pretty: true));
        Assert.Contains("\n\t\"dataVersion\": {\n\t\t\"counter\": 1,", pretty);
    }

    [Fact]
    public void Subscription_groups_have_RocketMQ_shape_and_defaults()
    {
        var table = new SubscriptionGroupTable();
        table.Groups["G"] = new SubscriptionGroupConfig { GroupName = "G" };
        Assert.Equal(
            """{"dataVersion":{"counter":0,"timestamp":0},"subscriptionGroupTable":{"G":{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"groupName":"G","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}}}""",
            Encoding.UTF8.GetString(ConfigJson.ToJson(table, pretty: false)));
    }

    [Fact]
    public void Every_document_round_trips_through_its_file()
    {
        var topics = Topics("TopicA", "%RETRY%G");
        topics.Topics["TopicA"].TopicFilterType = TopicFilterType.MultiTag;
        topics.Topics["TopicA"].Order = true;
        ConfigJson.Save(PathOf(TopicConfigTable.FileName), topics);
        var groups = new SubscriptionGroupTable();
        groups.DataVersion.Next(42);
        groups.Groups["G"] = new SubscriptionGroupConfig { GroupName = "G", RetryMaxTimes = 3, ConsumeBroadcastEnable = false };
        ConfigJson.Save(PathOf(SubscriptionGroupTable.FileName), groups);
        var offsets = new ConsumerOffsetTable();
        offsets.Offsets[ConsumerOffsetTable.KeyOf("TopicA", "G")] = new Dictionary<int, long> { [0] = 12, [3] = long.MaxValue };
        ConfigJson.Save(PathOf(ConsumerOffsetTable.FileName), offsets);
        var delays = new DelayOffsetTable { Offsets = { [1] = 0, [18] = 17 } };
        ConfigJson.Save(PathOf(DelayOffsetTable.FileName), delays);

        var t = ConfigJson.Load<TopicConfigTable>(PathOf(TopicConfigTable.FileName));
        Assert.Equal(ConfigFileSource.Main, t.Source);
        Assert.Equal(2, t.Value.DataVersion.Counter);
        Assert.Equal(TopicFilterType.MultiTag, t.Value.Topics["TopicA"].TopicFilterType);
        Assert.True(t.Value.Topics["TopicA"].Order);
        Assert.Equal("%RETRY%G", t.Value.Topics["%RETRY%G"].TopicName);
        var g = ConfigJson.Load<SubscriptionGroupTable>(PathOf(SubscriptionGroupTable.FileName)).Value;
        Assert.Equal((1L, 42L), (g.DataVersion.Counter, g.DataVersion.Timestamp));
        Assert.Equal(3, g.Groups["G"].RetryMaxTimes);
        Assert.False(g.Groups["G"].ConsumeBroadcastEnable);
        var o = ConfigJson.Load<ConsumerOffsetTable>(PathOf(ConsumerOffsetTable.FileName)).Value;
        Assert.Equal(long.MaxValue, o.Offsets["TopicA@G"][3]);
        Assert.Equal(17, ConfigJson.Load<DelayOffsetTable>(PathOf(DelayOffsetTable.FileName)).Value.Offsets[18]);
        Assert.Contains("\"0\": 12", File.ReadAllText(PathOf(ConsumerOffsetTable.FileName))); // standard JSON out
    }

    [Fact]
    public void Fastjson_bare_integer_keys_unknown_fields_and_quoted_numbers_are_read()
    {
        var consumerOffset = "{\n\t\"offsetTable\":{\n\t\t\"TopicTest@please_rename_unique_group_name_4\":{0:12,1:7,\n\t\t\t2 : 250\n\t\t},\n\t\t\"%RETRY%G@G\":{0:0}\n\t}\n}"u8;
        var offsets = ConfigJson.Parse<ConsumerOffsetTable>(consumerOffset);
        Assert.Equal(12, offsets.Offsets["TopicTest@please_rename_unique_group_name_4"][0]);
        Assert.Equal(250, offsets.Offsets["TopicTest@please_rename_unique_group_name_4"][2]);
        Assert.Equal(0, offsets.Offsets["%RETRY%G@G"][0]);

        var delay = ConfigJson.Parse<DelayOffsetTable>("""{"offsetTable":{1:0,3:17}}"""u8);
        Assert.Equal(17, delay.Offsets[3]);

        var topics = ConfigJson.Parse<TopicConfigTable>(
            """{"dataVersion":{"counter":"5","timestamp":1,"stateVersion":0},"topicConfigTable":{"T":{"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":8,"attributes":{}}}}"""u8);
        Assert.Equal(5, topics.DataVersion.Counter);
        Assert.Equal(8, topics.Topics["T"].WriteQueueNums);
    }

    [Fact]
    public void Quoting_bare_keys_leaves_strings_and_arrays_alone()
    {
        var text = """{0:"a,{1:2}",k:[1,2],"s":"\"x\",3:4",-1:{x:true}}"""u8;
        Assert.Equal(
            """{"0":"a,{1:2}","k":[1,2],"s":"\"x\",3:4","-1":{"x":true}}""",
            Encoding.UTF8.GetString(FastjsonText.QuoteKeys(text)));
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(FastjsonText.QuoteKeys("""{"a":1}"""u8)));
    }

    [Fact]
    public void A_write_keeps_the_previous_copy_as_bak_and_a_corrupt_file_falls_back_to_it()
    {
        var path = PathOf(TopicConfigTable.FileName);
        ConfigJson.Save(path, Topics("One"));
        ConfigJson.Save(path, Topics("One", "Two"));
        Assert.False(File.Exists(ConfigFile.TempPath(path)));
        Assert.True(File.Exists(ConfigFile.BackupPath(path)));

        File.WriteAllText(path, "{\"dataVersion\":{\"coun"); // torn
        var loaded = ConfigJson.Load<TopicConfigTable>(path);
        Assert.Equal(ConfigFileSource.Backup, loaded.Source);
        Assert.NotNull(loaded.Problem);
        Assert.Equal(["One"], loaded.Value.Topics.Keys);

        File.Delete(path);
        Assert.Equal(ConfigFileSource.Backup, ConfigJson.Load<TopicConfigTable>(path).Source);

        File.WriteAllText(ConfigFile.BackupPath(path), "garbage");
        Assert.Throws<StoreCorruptException>(() => ConfigJson.Load<TopicConfigTable>(path));
    }

    [Fact]
    public void A_load_racing_the_first_writes_sees_either_nothing_or_a_whole_document_never_corruption()
    {
        // The broker's own readers and the files' first save can run at once (tests and admin tools read them
        // live); a load that finds neither copy and then a file appearing must still say "missing".
        var path = PathOf(DelayOffsetTable.FileName);
        var loads = 0;
        for (var round = 0; round < 200; round++)
        {
            if (Directory.Exists(Path.GetDirectoryName(path))) Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            Exception? failed = null;
            var writer = new Thread(() =>
            {
                try
                {
                    for (var i = 1; i <= 3; i++) ConfigJson.Save(path, new DelayOffsetTable { Offsets = { [1] = i } });
                }
                catch (Exception e)
                {
                    failed = e;
                }
            });
            writer.Start();
            while (writer.IsAlive)
            {
                var loaded = ConfigJson.Load<DelayOffsetTable>(path);
                Assert.InRange(loaded.Value.Offsets.GetValueOrDefault(1), 0, 3);
                loads++;
            }

            writer.Join();
            Assert.Null(failed);
        }

        Assert.True(loads > 200, $"only {loads} loads overlapped the writers");
    }

    [Fact]
    public void Both_copies_missing_loads_an_empty_document()
    {
        var loaded = ConfigJson.Load<ConsumerOffsetTable>(PathOf(ConsumerOffsetTable.FileName));
        Assert.Equal(ConfigFileSource.Missing, loaded.Source);
        Assert.Null(loaded.Problem);
        Assert.Empty(loaded.Value.Offsets);
        Assert.Empty(ConfigJson.Load<DelayOffsetTable>(PathOf(DelayOffsetTable.FileName)).Value.Offsets);
    }

    [Fact]
    public void A_crash_between_the_temp_write_and_the_rename_leaves_the_previous_file_intact()
    {
        var path = PathOf(DelayOffsetTable.FileName);
        ConfigJson.Save(path, new DelayOffsetTable { Offsets = { [1] = 5 } });
        // what a crash after writing the temp file (fully or partly) and before the rename leaves behind
        File.WriteAllText(ConfigFile.TempPath(path), "{\"offsetTable\":{1:9");

        var loaded = ConfigJson.Load<DelayOffsetTable>(path);
        Assert.Equal(ConfigFileSource.Main, loaded.Source);
        Assert.Equal(5, loaded.Value.Offsets[1]);

        ConfigJson.Save(path, new DelayOffsetTable { Offsets = { [1] = 6 } }); // the stale temp file is simply replaced
        Assert.Equal(6, ConfigJson.Load<DelayOffsetTable>(path).Value.Offsets[1]);
        Assert.Equal(5, ConfigJson.Load<DelayOffsetTable>(ConfigFile.BackupPath(path)).Value.Offsets[1]);
        Assert.False(File.Exists(ConfigFile.TempPath(path)));
    }
}
