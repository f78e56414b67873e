namespace AkkaBroker.Store.Tests;

/// <summary>A fresh folder per test under the system temp folder, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("akkabroker-store-").FullName;

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a segment still mapped by a failed test; the OS cleans temp
        }
    }
}
