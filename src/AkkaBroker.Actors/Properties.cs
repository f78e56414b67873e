using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("AkkaBroker.Actors.Tests")]
[assembly: InternalsVisibleTo("AkkaBroker.TestKit")]
